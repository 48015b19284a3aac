import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLocality, parseLocality } from './locality.js';

describe('locality', () => {
  it('parses and formats region/zone/subzone (one spelling in the model: subZone)', () => {
    assert.deepEqual(parseLocality('us/us-1/rack'), { region: 'us', zone: 'us-1', subZone: 'rack' });
    assert.deepEqual(parseLocality('us'), { region: 'us', zone: '', subZone: '' });
    assert.deepEqual(parseLocality(undefined), { region: '', zone: '', subZone: '' });
    assert.equal(formatLocality({ region: 'us', zone: 'us-1' }), 'us/us-1');
    assert.equal(formatLocality({ region: '', zone: '', subZone: '' }), undefined);
    assert.equal(formatLocality({ region: 'us', zone: '', subZone: 'x' }), 'us//x');
  });
});
