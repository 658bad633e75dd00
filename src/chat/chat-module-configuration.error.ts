/** ChatModule was given options it cannot run with; thrown while the host app starts. */
export class ChatModuleConfigurationError extends Error {
  constructor(problem: string) {
    super(`ChatModule options are invalid: ${problem}`);
    this.name = 'ChatModuleConfigurationError';
  }
}
