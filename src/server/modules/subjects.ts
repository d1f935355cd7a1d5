import type { Deps } from '../deps';
import { changeSubject, joinSubject } from './organizations/service';
import { instrumentSubject } from './instruments/service';
import { registerSubject } from './reviews/subjects';
import { claimSubject } from './vouchers/claims';
import { postSubject } from './posts/service';

/** Every kind the one review mechanism serves is registered here. */
export function registerReviewSubjects(deps: Deps) {
  registerSubject(joinSubject);
  registerSubject(changeSubject);
  registerSubject(instrumentSubject);
  registerSubject(claimSubject(deps));
  registerSubject(postSubject);
}
