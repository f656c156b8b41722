// `npm run test:e2e` runs this first, so a machine without a browser stops before the build.
import { chromiumOrExit } from './find-chromium';

chromiumOrExit();
