import { describe, expect, it } from 'vitest';
import { describeAction } from '../../src/analysis/actions.js';

describe('describeAction', () => {
  it('leaves out an empty blast radius and target instead of printing "blast radius: )"', () => {
    const action = { type: 'restart', target: 'payment-service', riskLevel: 'medium' as const, blastRadius: 'one pod at a time', rationale: '', requiresApproval: true };
    expect(describeAction(action)).toBe('restart on payment-service (medium risk, needs approval; blast radius: one pod at a time)');
    expect(describeAction({ ...action, target: '', blastRadius: ' ', riskLevel: 'low', requiresApproval: false })).toBe('restart (low risk)');
  });
});
