import { IsOptional, IsString, IsUrl, Length } from 'class-validator';

export class CreateMemberDto {
  @IsString()
  @Length(1, 50)
  nickname!: string;

  @IsOptional()
  @IsUrl({ protocols: ['https'] })
  avatar_url?: string;
}
