import type { Deps } from '../deps';
import { changeSubject, joinSubject } from './organizations/service';
import { instrumentSubject } from './instruments/service';
import { registerSubject } from './reviews/subjects';

/** Every kind the one review mechanism serves is registered here. */
export function registerReviewSubjects(_deps: Deps) {
  registerSubject(joinSubject);
  registerSubject(changeSubject);
  registerSubject(instrumentSubject);
}
