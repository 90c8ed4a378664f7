import { it, expect, NEXT, update, ids } from '../harness.js';
const id = ids(import.meta.url);
import { value } from './file.js';

it('call module.check api with false should return updatedModules correctly', (done) => {
  expect(value).toBe(1);
  NEXT((err) => {
    if (err) return done(err);
    import.meta.webpackHot
      .check(false)
      .then((updatedModules) => {
        if (!updatedModules) return done(new Error('No update available'));
        expect(updatedModules).toContain(id('file.js'));
        expect(import.meta.webpackHot.status()).toBe('ready');
        return import.meta.webpackHot.apply().then((outdated) => {
          expect(outdated).toContain(id('file.js'));
          expect(import.meta.webpackHot.status()).toBe('idle');
          done();
        });
      })
      .catch(done);
  });
});

import.meta.webpackHot.accept('./file.js');
