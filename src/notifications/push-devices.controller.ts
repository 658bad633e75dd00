import { Delete, Get, HttpCode, Post, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiResponse } from '@nestjs/swagger';
import { CallerId } from '../chat/chat-auth.guard';
import { ChatBody } from '../chat/chat-request.decorators';
import { ChatRestController } from '../chat/chat-rest-controller.decorator';
import { UuidParam } from '../chat/uuid-param.decorator';
import { DeviceResponse } from './dto/device.response';
import { RegisterDeviceDto } from './dto/register-device.dto';
import { PushDevicesService } from './push-devices.service';
import type { ChatHttpReply } from '../chat/http-platform';

@ChatRestController()
export class PushDevicesController {
  constructor(private readonly devices: PushDevicesService) {}

  @Post('devices')
  @ApiResponse({ status: 201, type: DeviceResponse, description: 'Registered for the caller' })
  @ApiResponse({ status: 200, type: DeviceResponse, description: 'The caller had already registered it' })
  async register(
    @CallerId() callerId: string,
    @ChatBody() body: RegisterDeviceDto,
    @Res({ passthrough: true }) response: ChatHttpReply,
  ): Promise<DeviceResponse> {
    const { device, created } = await this.devices.register(callerId, body);
    response.status(created ? 201 : 200);
    return device;
  }

  @Get('devices')
  @ApiOkResponse({ type: [DeviceResponse] })
  list(@CallerId() callerId: string): Promise<DeviceResponse[]> {
    return this.devices.list(callerId);
  }

  @Delete('devices/:id')
  @HttpCode(204)
  @ApiNoContentResponse()
  remove(@CallerId() callerId: string, @UuidParam('id') id: string): Promise<void> {
    return this.devices.remove(callerId, id);
  }
}
