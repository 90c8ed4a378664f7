import { value as v } from './file.js';

export const value = v + 0.5;
