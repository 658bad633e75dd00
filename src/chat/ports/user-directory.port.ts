export interface ChatUserProfile {
  id: string;
  displayName: string | null;
  pictureUrl: string | null;
}

/** Port: how to show the other participant of a conversation. */
export abstract class UserDirectory {
  /** Batch lookup for one page of conversations; unknown ids are simply absent. */
  abstract findUsers(userIds: readonly string[]): Promise<Map<string, ChatUserProfile>>;
}
