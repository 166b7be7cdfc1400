/**
 * A catalogued mistake with the details of one case after it: "<catalogue message> (step 3, character "a".)".
 * The catalogue's words come first and unchanged, so a failure always contains them verbatim; English puts
 * a space before the details, Chinese (full-width punctuation) none. A convention entry stays a convention:
 * its `convention` (the library's name) is carried over, so the learner sees a note on conventions, not an error.
 */
import type { Mistake, Text } from '@llm-lab/check';

export function withDetails(mistake: Mistake, details: Text): Mistake {
  return {
    message: { en: `${mistake.message.en} ${details.en}`, 'zh-cn': `${mistake.message['zh-cn']}${details['zh-cn']}` },
    hint: mistake.hint,
    ...(mistake.convention === undefined ? {} : { convention: mistake.convention }),
  };
}
