/**
 * What an archive's file name says about the model, so that the common case needs no extra
 * inputs: `parakeet-rnnt-riva-1-1b-en-us-deployable_v8.1.tar.gz` → `en-US`, `rnnt`.
 */
export interface ModelFacts {
  readonly languageCode?: string;
  readonly architecture?: string;
}

// Decoder / model families Riva ASR ships, as they appear in NGC archive names.
const ARCHITECTURES = new Set([
  'rnnt',
  'ctc',
  'tdt',
  'conformer',
  'fastconformer',
  'citrinet',
  'quartznet',
  'jasper',
  'canary',
  'whisper',
]);

// A language-region pair such as `en-us` or `es_us`, standing alone between separators.
const LANGUAGE_REGION = /(?:^|[-_.])([a-z]{2,3})[-_]([a-z]{2})(?=$|[-_.])/;

export function inferModelFacts(archiveFileName: string): ModelFacts {
  const name = archiveFileName.toLowerCase();
  const language = LANGUAGE_REGION.exec(name);
  const architecture = name.split(/[-_.]/).find((token) => ARCHITECTURES.has(token));
  return {
    ...(language ? { languageCode: normaliseLanguageCode(`${language[1]}-${language[2]}`) } : {}),
    ...(architecture ? { architecture } : {}),
  };
}

/** BCP-47 casing as Riva expects it: `en-us` → `en-US`. */
export function normaliseLanguageCode(code: string): string {
  const [language = '', region] = code.split(/[-_]/);
  return region ? `${language.toLowerCase()}-${region.toUpperCase()}` : language.toLowerCase();
}
