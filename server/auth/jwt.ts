import { createSecretKey, KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { UnauthenticatedError } from '../core/errors';
import { parseRole, Role } from './role';

export interface TokenClaims {
  sub: string;
  unit: string;
  role: Role;
}

const keys = new Map<string, KeyObject>();

/**
 * The secret as a KeyObject, made once: given a string, jsonwebtoken 9 first tries it as a public
 * key (crypto.createPublicKey, which throws), about 0.8 ms per request (PITFALLS.md).
 */
function secretKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
  return key;
}

export function signToken(claims: TokenClaims, secret: string, expiresInSeconds = 30 * 24 * 3600): string {
  return jwt.sign({ unit: claims.unit, role: claims.role }, secretKey(secret), {
    algorithm: 'HS256',
    subject: claims.sub,
    expiresIn: expiresInSeconds,
  });
}

/** A token already verified, and until when it stays valid. */
interface Verified {
  claims: TokenClaims;
  /** Seconds since the epoch (the token's exp). */
  exp: number;
  maxLifetimeSeconds: number;
}

/** Verified tokens per secret, by their exact text; past this many, a secret's memo starts again. */
const MAX_VERIFIED = 10_000;
const verified = new Map<string, Map<string, Verified>>();

/**
 * Only HS256 with our secret and an expiry no further than `maxLifetimeSeconds` from its issue
 * is accepted: `alg: none`, other keys and tokens valid for years are refused. A client sends the
 * same token with every request: its signature is checked once (the HMAC and the JSON parsing
 * were the largest cost of a cached answer), its expiry on every request.
 */
export function verifyToken(token: string, secret: string, maxLifetimeSeconds: number): TokenClaims {
  let known = verified.get(secret);
  const hit = known?.get(token);
  if (hit && hit.maxLifetimeSeconds === maxLifetimeSeconds) {
    // As jsonwebtoken decides it: expired from the second exp names.
    if (Math.floor(Date.now() / 1000) < hit.exp) return hit.claims;
    known!.delete(token);
  }
  const { claims, exp } = verifySignedToken(token, secret, maxLifetimeSeconds);
  if (!known) verified.set(secret, (known = new Map()));
  if (known.size >= MAX_VERIFIED) known.clear();
  known.set(token, { claims, exp, maxLifetimeSeconds });
  return claims;
}

function verifySignedToken(token: string, secret: string, maxLifetimeSeconds: number): { claims: TokenClaims; exp: number } {
  let payload: jwt.JwtPayload | string;
  try {
    payload = jwt.verify(token, secretKey(secret), { algorithms: ['HS256'] });
  } catch (error) {
    const reason = error instanceof jwt.TokenExpiredError ? 'the token has expired' : 'the token is invalid';
    throw new UnauthenticatedError(`Authentication failed: ${reason}`);
  }
  if (typeof payload === 'string' || typeof payload.exp !== 'number') {
    throw new UnauthenticatedError('Authentication failed: the token has no expiry');
  }
  // From now when the token claims to be issued later: a future iat must not stretch its lifetime.
  const now = Math.floor(Date.now() / 1000);
  const issued = typeof payload.iat === 'number' ? Math.min(payload.iat, now) : now;
  if (payload.exp - issued > maxLifetimeSeconds) {
    throw new UnauthenticatedError(`Authentication failed: the token is valid for ${describeDays(payload.exp - issued)}, the maximum is ${describeDays(maxLifetimeSeconds)} (MAX_TOKEN_DAYS)`);
  }
  const role = parseRole(payload.role);
  // Unit codes are trimmed wherever they are read, tokens included.
  const unit = typeof payload.unit === 'string' ? payload.unit.trim() : '';
  if (!payload.sub || !unit || !role) {
    throw new UnauthenticatedError('Authentication failed: the token lacks the sub, unit or role claim');
  }
  return { claims: { sub: payload.sub, unit, role }, exp: payload.exp };
}

function describeDays(seconds: number): string {
  return `${Math.round((seconds / 86400) * 10) / 10} days`;
}

export function bearerToken(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw new UnauthenticatedError('Authorization header must be "Bearer <token>"');
  return match[1];
}
