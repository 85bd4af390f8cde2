/**
 * The small pieces around oidc-provider's device flow: reading its form's
 * anti-CSRF value, and showing a stored user code as the person saw it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayUserCode, xsrfOf } from '../../../src/authorization-server/device-flow.ts';

describe('the device flow helpers', () => {
  it('reads the xsrf value of the form oidc-provider renders', () => {
    const form =
      '<form id="op.deviceInputForm" novalidate method="post" action="/device">\n' +
      '  <input type="hidden" name="xsrf" value="3f9a0c"/>\n  <input type="text" name="user_code"></input>\n</form>';
    assert.equal(xsrfOf(form), '3f9a0c');
  });

  it('refuses a form without the xsrf field rather than render a form that cannot be posted', () => {
    assert.throws(() => xsrfOf('<form></form>'), /no xsrf field/);
  });

  it('shows a normalized user code with the mask of the codes it hands out', () => {
    assert.equal(displayUserCode('WDJBMJHT'), 'WDJB-MJHT');
  });
});
