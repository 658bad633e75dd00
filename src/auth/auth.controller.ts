import {
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Post,
  UseFilters,
  UseGuards,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthService } from './auth.service';
import { BearerAuthGuard, CurrentUserId } from './bearer-auth.guard';
import { LoginDto } from './dto/login.dto';
import { RegisterDto } from './dto/register.dto';
import { TokenResponse, UserResponse } from './dto/user.response';
import { UsersService } from './users.service';
import { WwwAuthenticateFilter } from './www-authenticate.filter';

@ApiTags('Auth')
@Controller('v1/auth')
@UseFilters(WwwAuthenticateFilter)
@UsePipes(new ValidationPipe({ whitelist: true, transform: true }))
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Post('register')
  @ApiCreatedResponse({ type: UserResponse })
  async register(@Body() body: RegisterDto): Promise<UserResponse> {
    const user = await this.auth.register({
      email: body.email,
      password: body.password,
      firstName: body.first_name ?? null,
      lastName: body.last_name ?? null,
    });
    return UserResponse.of(user);
  }

  @Post('login')
  @HttpCode(200)
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiOkResponse({ type: TokenResponse })
  login(@Body() body: LoginDto): Promise<TokenResponse> {
    return this.auth.login(body.email ?? body.username ?? '', body.password);
  }

  @Get('me')
  @ApiBearerAuth()
  @UseGuards(BearerAuthGuard)
  @ApiOkResponse({ type: UserResponse })
  async me(@CurrentUserId() userId: string): Promise<UserResponse> {
    const user = await this.users.findById(userId);
    if (!user) throw new NotFoundException('User not found');
    return UserResponse.of(user);
  }
}
