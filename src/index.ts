import { tuneGarbageCollection } from './gc-tuning.ts';
import { run } from './main.ts';

tuneGarbageCollection();
await run();
