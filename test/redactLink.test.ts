import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactLink } from '../src/events/redactLink.js';

describe('redactLink', () => {
  it.each([
    ['https://contoso.com/reset?token=abc123', 'https://contoso.com/reset?token=REDACTED'],
    ['https://contoso.com/a/b?utm_source=email&utm_campaign=nov&sig=xyz', 'https://contoso.com/a/b?utm_source=email&utm_campaign=nov&sig=REDACTED'],
    ['https://contoso.com/login?UTM_Medium=mail&next=%2Fhome&empty=&flag', 'https://contoso.com/login?UTM_Medium=mail&next=REDACTED&empty=&REDACTED'],
    ['https://contoso.com/magic?eyJhbGciOiJIUzI1NiJ9.payload', 'https://contoso.com/magic?REDACTED'],
    ['https://contoso.com/app#access_token=abc&state=1', 'https://contoso.com/app#REDACTED'],
    ['https://alice:hunter2@contoso.com:8443/files?id=7', 'https://REDACTED@contoso.com:8443/files?id=REDACTED'],
    ['//user@cdn.contoso.com/x', '//REDACTED@cdn.contoso.com/x'],
    ['https://contoso.com/orders/1042', 'https://contoso.com/orders/1042'],
    ['https://contoso.com/?utm_source=x;token=secret', 'https://contoso.com/?utm_source=x;token=REDACTED'],
    ['https://contoso.com/page?#', 'https://contoso.com/page?#'],
    ['', ''],
    ['not a link at all', 'not a link at all'],
    ['mailto:support@contoso.com?subject=Reset%20code%20991', 'mailto:support@contoso.com?subject=REDACTED'],
  ])('%s → %s', (link, redacted) => {
    expect(redactLink(link)).toBe(redacted);
  });
});

/** Values that appear nowhere else in a generated link, so finding one in the output is a leak. */
const secret = fc.stringMatching(/^[A-Za-z0-9_.~%+-]{1,24}$/).map((text) => `S3CR3T${text}`);
const parameterName = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/), fc.constantFrom('token', 'code', 'sig', 'utm_source', 'utm_campaign', 'UTM_Medium'));
const campaignValue = fc.stringMatching(/^[a-z0-9-]{1,10}$/);

/** A link with its parts kept apart, so that the test knows which values must go and which may stay. */
const generatedLink = fc
  .record({
    scheme: fc.constantFrom('https://', 'http://', '//', 'HTTPS://'),
    userInfo: fc.option(secret, { nil: undefined }),
    host: fc.domain(),
    path: fc.webPath(),
    parameters: fc.array(fc.tuple(parameterName, secret, campaignValue), { maxLength: 6 }),
    separator: fc.constantFrom('&', ';'),
    fragment: fc.option(secret, { nil: undefined }),
  })
  .map((parts) => {
    const query = parts.parameters.map(([name, value, campaign]) => `${name}=${/^utm_/i.test(name) ? campaign : value}`).join(parts.separator);
    const link = `${parts.scheme}${parts.userInfo ? `${parts.userInfo}@` : ''}${parts.host}${parts.path}${query ? `?${query}` : ''}${parts.fragment ? `#${parts.fragment}` : ''}`;
    return { ...parts, link };
  });

describe('redactLink, for any link', () => {
  it('never leaks a value that is not a utm_ one, a password or a fragment', () => {
    fc.assert(
      fc.property(generatedLink, ({ link }) => {
        expect(redactLink(link)).not.toContain('S3CR3T');
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the scheme, host, path, every parameter name in order, and utm_ values', () => {
    fc.assert(
      fc.property(generatedLink, ({ scheme, host, path, parameters, separator, userInfo }) => {
        const original = `${scheme}${userInfo ? `${userInfo}@` : ''}${host}${path}`;
        const query = parameters.map(([name, value, campaign]) => `${name}=${/^utm_/i.test(name) ? campaign : value}`).join(separator);
        const redacted = redactLink(`${original}${query ? `?${query}` : ''}`);
        const expectedQuery = parameters.map(([name, , campaign]) => `${name}=${/^utm_/i.test(name) ? campaign : REDACTED}`).join(separator);
        expect(redacted).toBe(`${scheme}${userInfo ? `${REDACTED}@` : ''}${host}${path}${expectedQuery ? `?${expectedQuery}` : ''}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent, on links and on any string', () => {
    fc.assert(
      fc.property(fc.oneof(generatedLink.map(({ link }) => link), fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string(), fc.string({ unit: 'binary' })), (text) => {
        const once = redactLink(text);
        expect(redactLink(once)).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });

  it('takes any string without throwing, and leaves one without ?, # or @ as it is', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const redacted = redactLink(text);
        if (!/[?#@]/.test(text)) expect(redacted).toBe(text);
      }),
      { numRuns: 3000 },
    );
  });
});
