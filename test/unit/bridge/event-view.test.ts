import { describe, expect, it } from 'vitest';
import { formatSseFrame, toEventView } from '../../../src/bridge/event-view.ts';

const stored = {
  cursor: 42,
  provider: 'streampixel',
  subject: 'up-1',
  type: 'build.approved',
  dedupeKey: '["streampixel","up-1","build.approved","2025-06-01T11:59:59.000Z"]',
  phase: 'success' as const,
  status: 'Approved',
  occurredAt: '2025-06-01T11:59:59.000Z',
  scope: 'proj-1',
  detail: null,
  links: {},
  receivedAt: '2025-06-01T12:00:00.000Z',
  body: '{"event":"build.approved","uploadId":"up-1","nested":{"__proto__":{"polluted":true},"ok":1}}',
};

describe('toEventView', () => {
  it('gives the normalised event, and parses the stored body into payload', () => {
    expect(toEventView(stored)).toEqual({
      cursor: 42,
      provider: 'streampixel',
      subject: 'up-1',
      type: 'build.approved',
      dedupeKey: '["streampixel","up-1","build.approved","2025-06-01T11:59:59.000Z"]',
      phase: 'success',
      status: 'Approved',
      occurredAt: '2025-06-01T11:59:59.000Z',
      scope: 'proj-1',
      detail: null,
      links: {},
      receivedAt: '2025-06-01T12:00:00.000Z',
      payload: { event: 'build.approved', uploadId: 'up-1', nested: { ok: 1 } },
    });
  });

  it('drops prototype keys from the payload', () => {
    const payload = toEventView(stored).payload as { nested: object };
    expect(Object.hasOwn(payload.nested, '__proto__')).toBe(false);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('gives a null payload for a body that is not JSON', () => {
    expect(toEventView({ ...stored, body: 'not json' }).payload).toBeNull();
  });
});

describe('formatSseFrame', () => {
  it('writes id, event and one data line', () => {
    const frame = formatSseFrame(toEventView(stored));
    const [id, event, data, ...rest] = frame.split('\n');
    expect(id).toBe('id: 42');
    expect(event).toBe('event: build.approved');
    expect(JSON.parse(data!.slice('data: '.length))).toMatchObject({ cursor: 42, type: 'build.approved' });
    expect(rest).toEqual(['', '']);
  });

  it('cannot be split into extra fields by a hostile event name', () => {
    const view = toEventView({ ...stored, type: 'build.x\n\nid: 999\ndata: forged\r' });
    const frame = formatSseFrame(view);
    expect(frame.split('\n\n')).toHaveLength(2);
    expect(frame).not.toMatch(/^id: 999$/m);
    expect(frame.match(/^data: /gm)).toHaveLength(1);
  });
});
