import { pickRedisPid } from './processes';

describe('bench processes', () => {
  const mainRedis = { pid: 10, cmdline: 'redis-server 127.0.0.1:6379' };
  const testRedis = { pid: 20, cmdline: 'redis-server 127.0.0.1:41234' };

  it('should pick the redis-server that names the URL port', () => {
    expect(pickRedisPid([testRedis, mainRedis], 'redis://127.0.0.1:6379')).toBe(10);
    expect(pickRedisPid([mainRedis, testRedis], 'redis://localhost:41234/0')).toBe(20);
    expect(pickRedisPid([mainRedis, testRedis], 'redis://127.0.0.1')).toBe(10);
  });

  it('should not take a port that only starts like the URL port', () => {
    expect(
      pickRedisPid([{ pid: 30, cmdline: 'redis-server *:63790' }, testRedis], 'redis://127.0.0.1:6379'),
    ).toBeNull();
  });

  it('should take a lone redis-server whatever its title, and none for a remote Redis', () => {
    expect(
      pickRedisPid([{ pid: 40, cmdline: '/usr/bin/redis-server /etc/redis.conf' }], 'redis://127.0.0.1:6379'),
    ).toBe(40);
    expect(pickRedisPid([], 'redis://127.0.0.1:6379')).toBeNull();
    expect(pickRedisPid([mainRedis], 'redis://cache.internal:6379')).toBeNull();
  });
});
