/** The in-memory backend against the shared conformance suite. */
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import { describeObjectStoreConformance } from './conformance.ts';

describeObjectStoreConformance('memory', () => new MemoryObjectStore());
