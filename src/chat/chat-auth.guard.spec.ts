import { randomUUID } from 'node:crypto';
import type { ExecutionContext } from '@nestjs/common';
import { ChatAuthGuard } from './chat-auth.guard';
import { IdentityVerifier, type VerifiedIdentity } from './ports/identity-verifier.port';

class CountingVerifier extends IdentityVerifier {
  calls = 0;
  answer: VerifiedIdentity | null = { userId: randomUUID(), expiresAt: new Date(Date.now() + 3_600_000) };

  verify(_token: string): Promise<VerifiedIdentity | null> {
    this.calls++;
    return Promise.resolve(this.answer);
  }
}

function contextWith(authorization: string | undefined): ExecutionContext {
  const request = { headers: { authorization } };
  return { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
}

describe(ChatAuthGuard.name, () => {
  let verifier: CountingVerifier;
  let sut: ChatAuthGuard;

  beforeEach(() => {
    verifier = new CountingVerifier();
    sut = new ChatAuthGuard(verifier);
  });

  it('should ask the verifier once for a token used twice in quick succession', async () => {
    await expect(sut.canActivate(contextWith('Bearer t1'))).resolves.toBe(true);
    await expect(sut.canActivate(contextWith('Bearer t1'))).resolves.toBe(true);

    expect(verifier.calls).toBe(1);
  });

  it('should not remember a refused token', async () => {
    const accepted = verifier.answer;
    verifier.answer = null;
    await expect(sut.canActivate(contextWith('Bearer t1'))).rejects.toMatchObject({ code: 'unauthorized' });
    verifier.answer = accepted;

    await expect(sut.canActivate(contextWith('Bearer t1'))).resolves.toBe(true);
    expect(verifier.calls).toBe(2);
  });

  it('should refuse a request without a bearer token without asking the verifier', async () => {
    await expect(sut.canActivate(contextWith(undefined))).rejects.toMatchObject({ code: 'unauthorized' });
    expect(verifier.calls).toBe(0);
  });
});
