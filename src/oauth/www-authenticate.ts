/**
 * Builds `WWW-Authenticate: Bearer …` challenges (RFC 6750 §3, RFC 9728 §5.1).
 * Pure: no I/O, no knowledge of where the values come from.
 */

export type BearerChallengeError = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

export interface BearerChallenge {
  /** Absolute URL of the Protected Resource Metadata (RFC 9728 §5.1; MCP authorization §4.2). */
  readonly resourceMetadata?: string;
  /** RFC 6750 §3.1: only when the client sent a token (or the request was malformed). */
  readonly error?: BearerChallengeError;
  readonly errorDescription?: string;
  /** Space-separated scopes the resource needs (RFC 6750 §3; MCP authorization §6). */
  readonly scope?: string;
  readonly realm?: string;
}

/**
 * An HTTP quoted-string (RFC 9110 §5.6.4, the RFC 7235 grammar): `"` and `\`
 * become quoted-pairs, and every character a header value cannot carry
 * (controls, and anything beyond printable ASCII, which Node refuses or
 * RFC 6750 §3 forbids) becomes a space. So a description written anywhere in
 * the code, or echoed from a verifier, can never make setHeader throw or split
 * the header.
 */
export function quotedString(value: string): string {
  let out = '"';
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if (code === 0x22 || code === 0x5c) out += `\\${value[index]}`;
    else if (code < 0x20 || code > 0x7e) out += ' ';
    else out += value[index];
  }
  return `${out}"`;
}

/** The header value; the scheme alone (`Bearer`) when no parameter is given. */
export function buildBearerChallenge(challenge: BearerChallenge): string {
  const parameters: string[] = [];
  if (challenge.realm !== undefined) parameters.push(`realm=${quotedString(challenge.realm)}`);
  if (challenge.resourceMetadata !== undefined) {
    parameters.push(`resource_metadata=${quotedString(challenge.resourceMetadata)}`);
  }
  if (challenge.error !== undefined) parameters.push(`error=${quotedString(challenge.error)}`);
  if (challenge.errorDescription !== undefined) {
    parameters.push(`error_description=${quotedString(challenge.errorDescription)}`);
  }
  if (challenge.scope !== undefined && challenge.scope !== '') {
    parameters.push(`scope=${quotedString(challenge.scope)}`);
  }
  return parameters.length === 0 ? 'Bearer' : `Bearer ${parameters.join(', ')}`;
}
