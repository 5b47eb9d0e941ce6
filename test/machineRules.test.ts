/** The machine rules (src/engagement/machineRules.ts): published user agents and the seconds after delivery, with examples and properties. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MACHINE_SECONDS, machineEngagement, timeRule, userAgentRule } from '../src/engagement/machineRules.js';

const OUTLOOK = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
const GMAIL_PROXY = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';

describe('userAgentRule', () => {
  it.each([
    ['Mozilla/5.0', 'apple-mail-privacy-protection'],
    [' Mozilla/5.0 ', 'apple-mail-privacy-protection'],
    ['Mozilla/5.0 (compatible; Barracuda Sentinel)', 'link-scanner'],
    ['Proofpoint URL Defense', 'link-scanner'],
    ['Mimecast URL Protect', 'link-scanner'],
    ['Microsoft Defender SafeLinks', 'link-scanner'],
    ['Cisco Secure Email', 'link-scanner'],
    ['python-requests/2.31.0', 'bot'],
    ['curl/8.5.0', 'bot'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36', 'bot'],
    ['Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', 'bot'],
    ['Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', 'bot'],
  ])('%s is a machine: %s', (agent, rule) => {
    expect(userAgentRule(agent)).toBe(rule);
  });

  it.each([OUTLOOK, IPHONE, GMAIL_PROXY, 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html', '', null])(
    '%s is no machine by its user agent (a mail client, a browser, an image proxy of a real open, or nothing said)',
    (agent) => {
      expect(userAgentRule(agent)).toBeUndefined();
    },
  );
});

describe('timeRule', () => {
  const attempt = '2026-11-27T09:15:00.1234567Z';
  it.each([
    ['2026-11-27T09:15:00.1234567Z', 'seconds-after-delivery'],
    ['2026-11-27T09:15:03Z', 'seconds-after-delivery'],
    ['2026-11-27T09:15:10.1234567Z', 'seconds-after-delivery'],
    ['2026-11-27T09:15:10.1234568Z', undefined],
    ['2026-11-27T09:14:58Z', 'seconds-after-delivery'],
    ['2026-11-27T09:16:00Z', undefined],
    ['2026-11-28T09:15:03Z', undefined],
  ])('an engagement at %s, after an attempt at 09:15:00.1234567: %s', (engagedAt, rule) => {
    expect(timeRule(engagedAt, attempt)).toBe(rule);
  });

  it('needs both times', () => {
    expect(timeRule(null, attempt)).toBeUndefined();
    expect(timeRule(attempt, null)).toBeUndefined();
    expect(timeRule(attempt, undefined)).toBeUndefined();
  });
});

const instant = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString());
const plusMs = (at: string, ms: number) => new Date(Date.parse(at) + ms).toISOString();
const browserAgent = fc.constantFrom(OUTLOOK, IPHONE, GMAIL_PROXY);

describe('machineEngagement (properties)', () => {
  it('a browser user agent is a machine exactly when the engagement lies within MACHINE_SECONDS of the attempt', () => {
    fc.assert(
      fc.property(browserAgent, instant, fc.integer({ min: -86_400_000, max: 86_400_000 }), (userAgent, attemptedAt, offsetMs) => {
        const verdict = machineEngagement({ userAgent, occurredAt: plusMs(attemptedAt, offsetMs) }, attemptedAt);
        expect(verdict.machine).toBe(Math.abs(offsetMs) <= MACHINE_SECONDS * 1000);
      }),
    );
  });

  it('a scanner stays a machine whatever its time, and whatever else its user agent says', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('Barracuda', 'proofpoint', 'Mimecast', 'SafeLinks'), fc.string(), instant, fc.option(instant), (before, token, after, at, attempt) => {
        const userAgent = `${before} ${token} ${after}`;
        fc.pre(!/GoogleImageProxy|YahooMailProxy/i.test(userAgent));
        expect(machineEngagement({ userAgent, occurredAt: at }, attempt)).toEqual({ machine: true, rule: 'link-scanner' });
      }),
    );
  });

  it('is a pure function: the user agent rule comes first, and the same input gives the same verdict', () => {
    fc.assert(
      fc.property(fc.option(fc.string()), fc.option(instant), fc.option(instant), (userAgent, occurredAt, attempt) => {
        const verdict = machineEngagement({ userAgent, occurredAt }, attempt);
        expect(machineEngagement({ userAgent, occurredAt }, attempt)).toEqual(verdict);
        const byAgent = userAgentRule(userAgent);
        if (byAgent !== undefined) expect(verdict).toEqual({ machine: true, rule: byAgent });
        else expect(verdict.machine).toBe(timeRule(occurredAt, attempt) !== undefined);
      }),
    );
  });
});
