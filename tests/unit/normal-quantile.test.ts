import { describe, expect, it } from 'vitest';
import { normalQuantile } from '../../shared/responses/normal-quantile.ts';

// Reference values from Python's statistics.NormalDist().inv_cdf.
describe('the normal quantile', () => {
  it('gives the published thresholds within 2e-5, symmetric about 0.5', () => {
    for (const [p, z] of [
      [0.975, 1.9599639845400536],
      [0.9875, 2.2414027276049464],
      [0.99, 2.3263478740408408],
      [0.999, 3.090232306167813],
      [0.8, 0.8416212335729144],
      [0.5, 0],
    ] as const) {
      expect(Math.abs(normalQuantile(p) - z), String(p)).toBeLessThan(2e-5);
      expect(normalQuantile(1 - p)).toBeCloseTo(-normalQuantile(p), 9);
    }
  });

  it('refuses what is not a probability strictly between 0 and 1', () => {
    for (const p of [0, 1, -0.1, Number.NaN]) expect(() => normalQuantile(p)).toThrow(RangeError);
  });
});
