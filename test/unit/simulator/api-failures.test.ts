import { describe, expect, it } from 'vitest';
import { createFailureInjector } from '../../../src/simulator/api-failures.ts';

describe('createFailureInjector', () => {
  it('hands out each failure `times` times, in order, per endpoint', () => {
    const injector = createFailureInjector([
      { endpoint: 'upload-file', status: 500, times: 2 },
      { endpoint: 'upload-file', status: 429, retryAfterSeconds: 30 },
      { endpoint: 'distribute-file', status: 503 },
    ]);
    expect(injector.take('test-webhook')).toBeUndefined();
    expect(injector.take('upload-file')).toEqual({ status: 500 });
    expect(injector.take('upload-file')).toEqual({ status: 500 });
    expect(injector.take('upload-file')).toEqual({ status: 429, retryAfterSeconds: 30 });
    expect(injector.take('upload-file')).toBeUndefined();
    expect(injector.take('distribute-file')).toEqual({ status: 503 });
    expect(injector.take('distribute-file')).toBeUndefined();
  });

  it('injects nothing without failures', () => {
    expect(createFailureInjector().take('upload-file')).toBeUndefined();
  });
});
