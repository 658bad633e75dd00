import { PasswordHasher } from './password-hasher';

describe(PasswordHasher.name, () => {
  const sut = new PasswordHasher();

  it('should verify the password it hashed and refuse another', async () => {
    const stored = await sut.hash('correct horse battery');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$/);
    await expect(sut.verify('correct horse battery', stored)).resolves.toBe(true);
    await expect(sut.verify('correct horse battery!', stored)).resolves.toBe(false);
  });

  it('should salt each hash', async () => {
    const [a, b] = await Promise.all([sut.hash('same password'), sut.hash('same password')]);
    expect(a).not.toEqual(b);
  });

  it('should refuse a malformed stored hash', async () => {
    await expect(sut.verify('anything', 'plain-text')).resolves.toBe(false);
  });
});
