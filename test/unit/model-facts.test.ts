import { describe, expect, it } from 'vitest';
import { inferModelFacts, normaliseLanguageCode } from '../../src/config/model-facts.ts';

describe('inferModelFacts', () => {
  it.each([
    ['parakeet-rnnt-riva-1-1b-en-us-deployable_v8.1.tar.gz', { languageCode: 'en-US', architecture: 'rnnt' }],
    ['parakeet-ctc-0.6b-es-us_deployable_v2.tar.gz', { languageCode: 'es-US', architecture: 'ctc' }],
    ['rmir_asr_conformer_de_de_str.tar.gz', { languageCode: 'de-DE', architecture: 'conformer' }],
    ['custom-model.tar.gz', {}],
  ])('%s', (name, facts) => {
    expect(inferModelFacts(name)).toEqual(facts);
  });

  it('normalises language codes to BCP-47 casing', () => {
    expect(normaliseLanguageCode('EN_us')).toBe('en-US');
    expect(normaliseLanguageCode('FR')).toBe('fr');
  });
});
