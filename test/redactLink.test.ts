import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePercentEscapes } from '../src/events/percentEscapes.js';
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
    // Credentials that only a URL parser finds: browsers (and the activity page's `new URL`) read them all.
    ['https:\\\\user:SECRET@contoso.com/p', 'https://REDACTED@contoso.com/p'],
    ['https:user:SECRET@contoso.com', 'https://REDACTED@contoso.com/'],
    [' https://user:SECRET@contoso.com/?a=1', ' https://REDACTED@contoso.com/?a=REDACTED'],
    ['\thttps://user:SECRET@contoso.com/', '\thttps://REDACTED@contoso.com/'],
    ['https:/\t/user:SECRET@contoso.com/', 'https://REDACTED@contoso.com/'],
    ['HTTPS:\\/user:SECRET@contoso.com', 'https://REDACTED@contoso.com/'],
    // Campaign values: the known names only, and never a nested query.
    ['https://contoso.com/?UTM_token=SECRET&utm_Source=mail', 'https://contoso.com/?UTM_token=REDACTED&utm_Source=mail'],
    ['https://contoso.com/?utm_source=x?token=SECRET', 'https://contoso.com/?utm_source=REDACTED'],
    ['https://contoso.com/?utm_source=x%3Ftoken%3DSECRET', 'https://contoso.com/?utm_source=REDACTED'],
    ['https://contoso.com/?utm_source=x%253Ftoken%253DSECRET', 'https://contoso.com/?utm_source=REDACTED'],
    // Path parameters are session ids on some servers.
    ['https://contoso.com/shop;jsessionid=SECRET?utm_medium=email', 'https://contoso.com/shop;jsessionid=REDACTED?utm_medium=email'],
    ['https://contoso.com/a;v=SECRET;w=SECRET/b', 'https://contoso.com/a;v=REDACTED;w=REDACTED/b'],
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
    // Path parameters (`;name=value`) have their own rule, tested below.
    path: fc.webPath().map((path) => path.replace(/;/g, "")),
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

  it('takes any string without throwing, and leaves one without ?, #, @ or ; as it is', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const redacted = redactLink(text);
        if (!/[?#@;]/.test(text)) expect(redacted).toBe(text);
      }),
      { numRuns: 3000 },
    );
  });
});

/** Credentials spelled in every way the WHATWG URL parser still reads them. */
const spelledCredentials = fc
  .record({
    before: fc.constantFrom('', ' ', '\t', '  \t', '\u0000', '\n', '\u001f'),
    scheme: fc.constantFrom('https', 'HTTPS', 'http', 'Http', 'wss', 'ftp', 'foo'),
    slashes: fc.constantFrom('//', '\\\\', '/\\', '\\/', '', '/', '///', '/\t/', '\\\\\\'),
    user: fc.option(fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/), { nil: undefined }),
    password: secret,
    host: fc.domain(),
    rest: fc.constantFrom('', '/', '/p?a=1', '?utm_source=mail', '#x', '\\path'),
  })
  .filter(({ scheme, slashes }) => scheme !== 'foo' || slashes === '//')
  .map(({ before, scheme, slashes, user, password, host, rest }) => `${before}${scheme}:${slashes}${user === undefined ? '' : `${user}:`}${password}@${host}${rest}`);

/** Campaign values with a query nested in them, plainly or percent-encoded once or twice. */
const nestedQuery = fc
  .tuple(campaignValue, fc.constantFrom('?', '=', '&', '#', ';'), secret, fc.constantFrom(0, 1, 2))
  .map(([value, separator, hidden, encodings]) => {
    let nested = `${separator}token=${hidden}`;
    for (let n = 0; n < encodings; n++) nested = encodeURIComponent(nested);
    return `${value}${nested}`;
  });

describe('redactLink, by what a URL parser reads', () => {
  it('leaves no credentials that a browser parses, however they are spelled', () => {
    fc.assert(
      fc.property(spelledCredentials, (link) => {
        const redacted = redactLink(link);
        if (URL.canParse(link) && new URL(link).password !== '') expect(redacted).not.toContain('S3CR3T');
        if (URL.canParse(redacted)) {
          const url = new URL(redacted);
          expect(url.password).toBe('');
          expect(['', REDACTED]).toContain(url.username);
        }
        expect(redactLink(redacted)).toBe(redacted);
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps no campaign value that holds a nested query, and no value of a made-up utm_ name', () => {
    const item = fc.oneof(
      fc.tuple(fc.constantFrom('utm_source', 'UTM_Campaign', 'utm_term'), nestedQuery).map(([name, value]) => `${name}=${value}`),
      fc.tuple(fc.stringMatching(/^[Uu][Tt][Mm]_[a-z]{1,8}$/).filter((name) => !/^utm_(source|medium|campaign|term|content|id)$/i.test(name)), secret).map(([name, value]) => `${name}=${value}`),
    );
    fc.assert(
      fc.property(fc.domain(), fc.array(item, { minLength: 1, maxLength: 4 }), (host, items) => {
        const redacted = redactLink(`https://${host}/p?${items.join('&')}`);
        expect(redacted).not.toContain('S3CR3T');
        // Items as the redaction splits them: at & and at ;.
        const values = new URL(redacted).search.slice(1).split(/[&;]/).map((item) => item.slice(item.indexOf('=') + 1));
        for (const value of values) if (value !== REDACTED) expect(decodePercentEscapes(value)).not.toMatch(/[?=&#;]/);
      }),
      { numRuns: 2000 },
    );
  });

  it('replaces the value of every ;name=value path parameter', () => {
    fc.assert(
      fc.property(fc.domain(), fc.webPath(), fc.stringMatching(/^[a-z]{1,10}$/), secret, (host, path, name, value) => {
        expect(redactLink(`https://${host}${path || "/"};${name}=${value}/more`)).not.toContain('S3CR3T');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('a campaign value nested deeper than any server decodes', () => {
  it('is redacted, after a bounded number of decodings', () => {
    const deep = `%${'25'.repeat(16_000)}3Ftoken%3DS3CR3T`;
    expect(redactLink(`https://contoso.com/?utm_source=${deep}`)).toBe('https://contoso.com/?utm_source=REDACTED');
  });
});

describe('decodePercentEscapes', () => {
  it.each([
    ['a%40b', 'a@b'],
    ['a%2540b', 'a@b'],
    ['%E2%82%AC', '€'],
    ['100%', '100%'],
    ['%zz%4', '%zz%4'],
  ])('%s → %s', (text, decoded) => {
    expect(decodePercentEscapes(text)).toBe(decoded);
  });
});
