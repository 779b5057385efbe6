// The same from an ES module: `import` resolves the runtime's packages too.
import sts from '@aws-sdk/client-sts';

export const handler = async () => ({ source: sts.source });
