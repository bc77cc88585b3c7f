import jwt from 'jsonwebtoken';
import { signToken, verifyToken } from '../../server/auth/jwt';

/** The secret is used as a KeyObject: tokens signed by anyone holding the same string secret verify, others do not. */
describe('tokens with the secret as a KeyObject', () => {
  const SECRET = 'một bí mật đủ dài cho HS256';
  const DAY = 24 * 3600;

  it('accepts a token another client signed with the same string secret, and ours verify there', () => {
    const theirs = jwt.sign({ unit: '20', role: 'ANALYST' }, SECRET, { algorithm: 'HS256', subject: 'them', expiresIn: 3600 });
    expect(verifyToken(theirs, SECRET, DAY)).toEqual({ sub: 'them', unit: '20', role: 'ANALYST' });
    const ours = signToken({ sub: 'us', unit: 'VN', role: 'ADMIN' as never }, SECRET, 3600);
    expect(jwt.verify(ours, SECRET, { algorithms: ['HS256'] })).toMatchObject({ sub: 'us', unit: 'VN', role: 'ADMIN' });
  });

  it('refuses another secret, alg none and each secret keeps its own key', () => {
    const ours = signToken({ sub: 'us', unit: 'VN', role: 'ADMIN' as never }, SECRET, 3600);
    expect(() => verifyToken(ours, `${SECRET}!`, DAY)).toThrow('the token is invalid');
    const none = jwt.sign({ unit: 'VN', role: 'ADMIN' }, '', { algorithm: 'none', subject: 'x', expiresIn: 3600 });
    expect(() => verifyToken(none, SECRET, DAY)).toThrow('the token is invalid');
    expect(verifyToken(ours, SECRET, DAY).sub).toBe('us');
  });

  it('checks a token it verified before again for its expiry and its secret', () => {
    const now = Date.now();
    const ours = signToken({ sub: 'again', unit: '20', role: 'ANALYST' as never }, SECRET, 60);
    expect(verifyToken(ours, SECRET, DAY).sub).toBe('again');
    expect(verifyToken(ours, SECRET, DAY).sub).toBe('again');
    expect(() => verifyToken(ours, `${SECRET}!`, DAY)).toThrow('the token is invalid');
    expect(() => verifyToken(ours, SECRET, 30)).toThrow('the maximum is');
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    try {
      expect(() => verifyToken(ours, SECRET, DAY)).toThrow('the token has expired');
    } finally {
      clock.mockRestore();
    }
  });
});
