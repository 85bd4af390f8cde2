import type { UserAccess } from './compile-access-policy.ts';
import { filterListMessage, type ListAnswers } from './filter-list-message.ts';

/**
 * Filters a whole `application/json` answer (one response, or a batch).
 * Returns the same Buffer when nothing was removed, so the common case is
 * relayed byte for byte; the caller sets Content-Length from the result. A
 * body that is not JSON is returned as it is: it holds no list to leak.
 * Expects identity-encoded bytes (see DESIGN.md, "Compressed answers").
 */
export function filterListBody(body: Buffer, access: UserAccess, answers: ListAnswers): Buffer {
  let message: unknown;
  try {
    message = JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
  const filtered = filterListMessage(message, access, answers);
  return filtered.changed ? Buffer.from(JSON.stringify(filtered.message), 'utf8') : body;
}
