import type { IncomingMessage } from 'node:http';
import type { AppConfig } from '../core/config';
import { UnauthenticatedError } from '../core/errors';
import { bearerToken, TokenClaims, verifyToken } from './jwt';

/** Checks the bearer token without touching the database: no valid token, nothing runs. */
export function authenticate(config: AppConfig, req: IncomingMessage): TokenClaims {
  const token = bearerToken(req.headers.authorization);
  if (!token) throw new UnauthenticatedError('A bearer token is required: Authorization: Bearer <JWT>');
  return verifyToken(token, config.jwtSecret, config.maxTokenSeconds);
}
