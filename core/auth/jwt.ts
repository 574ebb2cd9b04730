import { SignJWT, jwtVerify, errors } from 'jose';
import type { Role } from '@kefu-hub/plugin-sdk';

export interface UserTokenClaims {
  sub: string;
  ws: string;
  roles: Role[];
  /** The user's tokenVersion when issued; a bump revokes every older token. */
  tv: number;
}

const ISSUER = 'kefu-hub';

export class JwtService {
  private readonly key: Uint8Array;
  private readonly ttlSeconds: number;
  constructor(secret: string, ttlSeconds: number) {
    this.key = new TextEncoder().encode(secret);
    this.ttlSeconds = ttlSeconds;
  }

  async sign(claims: UserTokenClaims): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(Date.now() + this.ttlSeconds * 1000);
    const token = await new SignJWT({ ws: claims.ws, roles: claims.roles, tv: claims.tv })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.sub)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }

  /** Returns the claims, or null for any invalid/expired token (callers answer UNAUTHENTICATED). */
  async verify(token: string): Promise<UserTokenClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || typeof payload.ws !== 'string' || typeof payload.tv !== 'number') return null;
      return { sub: payload.sub, ws: payload.ws, roles: payload.roles as Role[], tv: payload.tv };
    } catch (err) {
      if (err instanceof errors.JOSEError) return null;
      throw err;
    }
  }
}
