import { describe, expect, it } from 'vitest';
import { renderMessage } from './messages.js';

describe('notice texts', () => {
  it('tells a holder about a new device with what to do', () => {
    const m = renderMessage('n1', 'signature.new-device', new Date('2026-11-24T10:00:00Z'), {
      certificateSerial: '7f3a',
      deviceId: 'laptop-42',
      purpose: 'sign-in',
      at: '2026-11-24T09:59:00.000Z',
    });
    expect(m.subject).toMatch(/new device/);
    expect(m.text).toContain('7f3a');
    expect(m.text).toContain('laptop-42');
    expect(m.text).toMatch(/revoke/);
  });

  it('names the rule and the certificate of a misuse alert', () => {
    const m = renderMessage('n2', 'signature.alert', new Date(), { alertId: 'a9', rule: 'used-after-departure', certificateSerial: '01ab', organizationBin: '940140000385' });
    expect(m.text).toContain('used-after-departure');
    expect(m.text).toContain('940140000385');
  });

  it('falls back to a generic text for an event it does not know', () => {
    expect(renderMessage('n3', 'something.else', new Date(), {}).text).toBe('Event something.else.');
  });
});
