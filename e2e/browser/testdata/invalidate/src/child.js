export const value = 'child v1';

// The child accepts itself, but its importer holds the old value: it
// gives up and lets the update go on to the importer.
import.meta.hot.accept(() => {
  import.meta.hot.invalidate('value changed');
});
