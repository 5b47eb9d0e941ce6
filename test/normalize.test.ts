import { describe, expect, it } from 'vitest';
import { normalizeEvent, type Normalized } from '../src/events/normalize.js';
import { MAX_STRING_PROPERTY_LENGTH, TRUNCATION_MARKER } from '../src/storage/tableLimits.js';
import { seedDeliveryReport, seedEngagementReport, toCloudEvent } from '../scripts/sampleEvents.js';

function accepted(result: Normalized) {
  if (result.outcome !== 'accepted') throw new Error(`expected accepted, got ${result.reason}: ${result.detail}`);
  return result.event;
}

function quarantined(result: Normalized) {
  if (result.outcome !== 'quarantined') throw new Error('expected a quarantine decision');
  return result;
}

const withData = <T extends { data: object }>(event: T, data: Record<string, unknown>, drop: string[] = []) => {
  const merged: Record<string, unknown> = { ...event.data, ...data };
  for (const key of drop) delete merged[key];
  return { ...event, data: merged };
};

describe('normalizeEvent: the seed payloads', () => {
  it('turns the documented delivery report into a delivery record', () => {
    expect(accepted(normalizeEvent(seedDeliveryReport))).toEqual({
      kind: 'delivery',
      messageId: '00000000-0000-0000-0000-000000000000',
      eventId: '00000000-0000-0000-0000-000000000000',
      eventType: 'Microsoft.Communication.EmailDeliveryReportReceived',
      envelope: 'EventGrid',
      occurredAt: '2020-09-18T00:22:20.2855749Z',
      eventTime: '2020-09-18T00:22:20.822Z',
      source: seedDeliveryReport.topic,
      subject: 'sender/senderid@azure.com/message/00000000-0000-0000-0000-000000000000',
      sender: 'senderid@azure.com',
      recipient: 'receiver@azure.com',
      status: 'Delivered',
      statusMessage: 'Status Message',
      recipientMailServerHostName: null,
      internetMessageId: null,
      truncatedFields: [],
    });
  });

  it('turns the documented engagement report into an engagement record with no recipient', () => {
    expect(accepted(normalizeEvent(seedEngagementReport))).toEqual({
      kind: 'engagement',
      messageId: '00000000-0000-0000-0000-000000000000',
      eventId: '00000000-0000-0000-0000-000000000000',
      eventType: 'Microsoft.Communication.EmailEngagementTrackingReportReceived',
      envelope: 'EventGrid',
      occurredAt: '2022-09-06T22:34:52.1303595Z',
      eventTime: '2022-09-06T22:34:52.688Z',
      source: seedEngagementReport.topic,
      subject: seedEngagementReport.subject,
      sender: 'senderid@azure.com',
      recipient: null,
      engagementType: 'view',
      engagementContext: '',
      userAgent: '',
      truncatedFields: [],
    });
  });
});

describe('normalizeEvent: payload variants', () => {
  it('reads the attempt time in both spellings, preferring a valid one', () => {
    const live = withData(seedDeliveryReport, { deliveryAttemptTimestamp: '2024-01-02T03:04:05.1234567+00:00' }, ['deliveryAttemptTimeStamp']);
    expect(accepted(normalizeEvent(live)).occurredAt).toBe('2024-01-02T03:04:05.1234567Z');
    const both = withData(seedDeliveryReport, { deliveryAttemptTimeStamp: 'not a time', deliveryAttemptTimestamp: '2024-01-02T03:04:05Z' });
    expect(accepted(normalizeEvent(both)).occurredAt).toBe('2024-01-02T03:04:05Z');
  });

  it('reads the user-action time in both spellings', () => {
    const live = withData(seedEngagementReport, { userActionTimestamp: '2024-05-06T07:08:09.9876543Z' }, ['userActionTimeStamp']);
    expect(accepted(normalizeEvent(live)).occurredAt).toBe('2024-05-06T07:08:09.9876543Z');
  });

  it('falls back to eventTime only when the report has no usable time', () => {
    const missing = withData(seedDeliveryReport, {}, ['deliveryAttemptTimeStamp']);
    expect(accepted(normalizeEvent(missing)).occurredAt).toBe('2020-09-18T00:22:20.822Z');
    const garbage = withData(seedEngagementReport, { userActionTimeStamp: '2022-13-45T99:00:00Z' });
    expect(accepted(normalizeEvent(garbage)).occurredAt).toBe('2022-09-06T22:34:52.688Z');
    const none = { ...withData(seedEngagementReport, {}, ['userActionTimeStamp']), eventTime: 'yesterday' };
    expect(accepted(normalizeEvent(none)).occurredAt).toBeNull();
  });

  it('shows offset times in UTC with Z and keeps every fractional digit', () => {
    const cases: [string, string][] = [
      ['2020-09-18T02:22:20.2855749+02:00', '2020-09-18T00:22:20.2855749Z'],
      ['2020-09-17T18:52:20.2855749-05:30', '2020-09-18T00:22:20.2855749Z'],
      ['2020-12-31T23:59:59.9999999-01:00', '2021-01-01T00:59:59.9999999Z'],
      ['2020-09-18T00:22:20+00:00', '2020-09-18T00:22:20Z'],
      ['2020-09-18T00:22:20.1', '2020-09-18T00:22:20.1Z'],
      ['2020-09-18T03:22:20.1234567+03', '2020-09-18T00:22:20.1234567Z'],
      ['2020-09-18T03:52:20+0330', '2020-09-18T00:22:20Z'],
    ];
    for (const [sent, shown] of cases) {
      expect(accepted(normalizeEvent(withData(seedDeliveryReport, { deliveryAttemptTimeStamp: sent }))).occurredAt).toBe(shown);
    }
  });

  it('accepts the CloudEvents 1.0 envelope for both event types', () => {
    const delivery = accepted(normalizeEvent(toCloudEvent(seedDeliveryReport)));
    expect(delivery).toMatchObject({ kind: 'delivery', envelope: 'CloudEvents', source: seedDeliveryReport.topic, eventTime: '2020-09-18T00:22:20.822Z' });
    const { envelope: _cloud, ...cloudRest } = delivery;
    const { envelope: _grid, ...gridRest } = accepted(normalizeEvent(seedDeliveryReport));
    expect(cloudRest).toEqual(gridRest);
    expect(accepted(normalizeEvent(toCloudEvent(seedEngagementReport)))).toMatchObject({ kind: 'engagement', engagementType: 'view' });
  });

  it('matches statuses case-insensitively, shows them in the documented case, and keeps unknown ones as sent', () => {
    const statusOf = (status: unknown) => {
      const event = accepted(normalizeEvent(withData(seedDeliveryReport, { status })));
      return event.kind === 'delivery' ? event.status : undefined;
    };
    expect(statusOf('delivered')).toBe('Delivered');
    expect(statusOf('FILTEREDSPAM')).toBe('FilteredSpam');
    expect(statusOf('quarantined')).toBe('Quarantined');
    expect(statusOf('OutForDelivery')).toBe('OutForDelivery');
    expect(statusOf('')).toBe('');
    expect(statusOf(undefined)).toBeNull();
  });

  it('shows engagement types in lowercase', () => {
    for (const [sent, shown] of [['View', 'view'], ['Click', 'click'], ['CLICK', 'click'], ['forward', 'forward']]) {
      const event = accepted(normalizeEvent(withData(seedEngagementReport, { engagementType: sent })));
      expect(event.kind === 'engagement' && event.engagementType).toBe(shown);
    }
  });

  it('matches the event type case-insensitively and stores it in its documented case', () => {
    const event = accepted(normalizeEvent({ ...seedDeliveryReport, eventType: seedDeliveryReport.eventType.toLowerCase() }));
    expect(event.eventType).toBe('Microsoft.Communication.EmailDeliveryReportReceived');
  });

  it('keeps Suppressed reports that lack internetMessageId and the mail server', () => {
    const suppressed = accepted(normalizeEvent(withData(seedDeliveryReport, { status: 'Suppressed', deliveryStatusDetails: { statusMessage: '' } })));
    expect(suppressed).toMatchObject({ status: 'Suppressed', statusMessage: '', internetMessageId: null, recipientMailServerHostName: null });
  });

  it('keeps internetMessageId with its angle brackets and the mail server name', () => {
    const event = accepted(
      normalizeEvent(
        withData(seedDeliveryReport, {
          internetMessageId: '<abc@contoso.com>',
          deliveryStatusDetails: { statusMessage: 'No error.', recipientMailServerHostName: 'mx.contoso.com' },
        }),
      ),
    );
    expect(event).toMatchObject({ internetMessageId: '<abc@contoso.com>', recipientMailServerHostName: 'mx.contoso.com', statusMessage: 'No error.' });
  });

  it('reads a recipient on engagement reports when newer payloads carry one', () => {
    expect(accepted(normalizeEvent(withData(seedEngagementReport, { recipient: 'a@contoso.com' }))).recipient).toBe('a@contoso.com');
  });

  it('cuts over-long strings to what Table Storage holds, with a marker, and records which', () => {
    const longAgent = 'A'.repeat(MAX_STRING_PROPERTY_LENGTH + 10);
    const event = accepted(normalizeEvent(withData(seedEngagementReport, { userAgent: longAgent, engagementContext: 'https://contoso.com/' })));
    if (event.kind !== 'engagement') throw new Error('expected engagement');
    expect(event.userAgent).toHaveLength(MAX_STRING_PROPERTY_LENGTH);
    expect(event.userAgent!.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(event.userAgent!.startsWith('AAAA')).toBe(true);
    expect(event.engagementContext).toBe('https://contoso.com/');
    expect(event.truncatedFields).toEqual(['userAgent']);
  });

  it('stores a clicked link without its query values by default, and whole when asked', () => {
    const click = withData(seedEngagementReport, { engagementType: 'click', engagementContext: 'https://contoso.com/reset?utm_source=mail&token=s3cret#otp=1' });
    expect(accepted(normalizeEvent(click))).toMatchObject({ engagementContext: 'https://contoso.com/reset?utm_source=mail&token=REDACTED#REDACTED' });
    expect(accepted(normalizeEvent(toCloudEvent(click)))).toMatchObject({ engagementContext: 'https://contoso.com/reset?utm_source=mail&token=REDACTED#REDACTED' });
    expect(accepted(normalizeEvent(click, { redactLinks: false }))).toMatchObject({ engagementContext: click.data.engagementContext });
  });

  it('redacts a link before cutting it, so that an over-long token does not survive the cut', () => {
    const token = 's'.repeat(MAX_STRING_PROPERTY_LENGTH + 10);
    const event = accepted(normalizeEvent(withData(seedEngagementReport, { engagementContext: `https://contoso.com/?token=${token}` })));
    expect(event).toMatchObject({ engagementContext: 'https://contoso.com/?token=REDACTED', truncatedFields: [] });
  });

  it('quarantines an event with the clicked link redacted where engagement reports carry it, and whole when asked', () => {
    const link = 'https://contoso.com/magic?login=s3cret';
    const click = withData(seedEngagementReport, { messageId: '', engagementContext: link });
    expect(quarantined(normalizeEvent(click)).kept).toEqual({ ...click, data: { ...click.data, engagementContext: 'https://contoso.com/magic?login=REDACTED' } });
    expect(click.data.engagementContext).toBe(link);
    expect(quarantined(normalizeEvent({ ...click, eventType: 'Contoso.Other' })).kept).toMatchObject({ data: { engagementContext: 'https://contoso.com/magic?login=REDACTED' } });
    expect(quarantined(normalizeEvent(click, { redactLinks: false })).kept).toBe(click);
    expect(quarantined(normalizeEvent([link])).kept).toEqual([link]);
  });

  it('never splits a surrogate pair when cutting', () => {
    const emoji = '😀'.repeat(MAX_STRING_PROPERTY_LENGTH);
    const event = accepted(normalizeEvent(withData(seedDeliveryReport, { deliveryStatusDetails: { statusMessage: emoji } })));
    const message = event.kind === 'delivery' ? event.statusMessage! : '';
    expect(message.length).toBeLessThanOrEqual(MAX_STRING_PROPERTY_LENGTH);
    expect(() => encodeURIComponent(message)).not.toThrow();
  });

  it('gives an event without an id a stable id derived from its content, the same in either schema', () => {
    const { id: _id, ...withoutId } = seedDeliveryReport;
    const first = accepted(normalizeEvent(withoutId));
    expect(first.eventId).toMatch(/^sha256-[0-9a-f]{64}$/);
    expect(accepted(normalizeEvent(structuredClone(withoutId))).eventId).toBe(first.eventId);
    const { id: _cloudId, ...cloudWithoutId } = toCloudEvent(seedDeliveryReport);
    expect(accepted(normalizeEvent(cloudWithoutId)).eventId).toBe(first.eventId);
    const otherData = withData(withoutId, { status: 'Bounced' });
    expect(accepted(normalizeEvent(otherData)).eventId).not.toBe(first.eventId);
  });
});

describe('normalizeEvent: quarantine decisions', () => {
  it.each([null, 42, 'text', [seedDeliveryReport], true])('quarantines %j as not an object', (raw) => {
    expect(quarantined(normalizeEvent(raw)).reason).toBe('not-an-object');
  });

  it('quarantines unknown event types, keeping the type and id for the record', () => {
    const result = quarantined(normalizeEvent({ ...seedDeliveryReport, eventType: 'Microsoft.Communication.SMSReceived' }));
    expect(result).toMatchObject({ reason: 'unknown-event-type', eventType: 'Microsoft.Communication.SMSReceived', eventId: seedDeliveryReport.id });
    expect(quarantined(normalizeEvent({ id: 'x', data: {} })).reason).toBe('unknown-event-type');
  });

  it('quarantines events whose data is not an object', () => {
    for (const data of [undefined, null, 'text', [1, 2]]) {
      expect(quarantined(normalizeEvent({ ...seedDeliveryReport, data })).reason).toBe('data-not-an-object');
    }
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['a number', 12345],
    ['too long', 'm'.repeat(513)],
    ['with a slash', 'a/b'],
    ['with a backslash', 'a\\b'],
    ['with a hash', 'a#b'],
    ['with a question mark', 'a?b'],
    ['with a control character', 'a\u0001b'],
  ])('quarantines a messageId that is %s', (_label, messageId) => {
    const result = quarantined(normalizeEvent(withData(seedDeliveryReport, { messageId })));
    expect(result.reason).toBe('unusable-message-id');
    expect(result.detail).toMatch(/^The messageId /);
  });
});

describe('normalizeEvent: input nested deeper than the stack', () => {
  const deep = (depth: number) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown;

  it('quarantines a body of 50,000 nested arrays as not an object', () => {
    expect(quarantined(normalizeEvent(deep(50_000)))).toMatchObject({ reason: 'not-an-object', detail: 'The event is an array, not a JSON object.' });
  });

  it('gives an event with no id and a 50,000-deep field a stable id of its own', () => {
    // Built afresh each time (structuredClone recurses too): a redelivery is a new parse of the same text.
    const event = (depth: number) => ({ ...seedDeliveryReport, id: undefined, data: { ...seedDeliveryReport.data, extra: deep(depth) } });
    const first = accepted(normalizeEvent(event(50_000)));
    expect(first.eventId).toMatch(/^sha256-[0-9a-f]{64}$/);
    expect(accepted(normalizeEvent(event(50_000))).eventId).toBe(first.eventId);
    expect(accepted(normalizeEvent(event(50_001))).eventId).not.toBe(first.eventId);
  });

  it('quarantines an event whose type is 50,000 deep, with a short detail', () => {
    const result = quarantined(normalizeEvent({ ...seedDeliveryReport, eventType: deep(50_000) }));
    expect(result).toMatchObject({ reason: 'unknown-event-type', eventType: null });
    expect(result.detail.length).toBeLessThan(400);
  });
});
