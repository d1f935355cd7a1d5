import type { Deps } from '../deps';
import { changeSubject, joinSubject } from './organizations/service';
import { instrumentSubject } from './instruments/service';
import { onReviewQueued, registerSubject, subjectOf } from './reviews/subjects';
import { notify } from './messages/service';
import { claimSubject } from './vouchers/claims';
import { postSubject } from './posts/service';
import { reportSubject } from './stats/reports';

/** Every kind the one review mechanism serves is registered here. */
export function registerReviewSubjects(deps: Deps) {
  registerSubject(joinSubject);
  registerSubject(changeSubject);
  registerSubject(instrumentSubject);
  registerSubject(claimSubject(deps));
  registerSubject(postSubject);
  registerSubject(reportSubject);
  // a department's reviewers are told in the message centre (and by mail) when something arrives in their queue
  onReviewQueued(async (trx, r) => {
    const reviewers = await trx
      .selectFrom('users')
      .select('id')
      .where('departmentId', '=', r.departmentId)
      .where('isDisabled', '=', false)
      .execute();
    await notify(
      deps,
      trx,
      { users: reviewers.map((u) => u.id) },
      {
        title: `待审核：${subjectOf(r.subjectKind).label}`,
        body: `${r.title} 已进入本部门审核环节${r.level > 1 ? `（第 ${r.level} 级）` : ''}，请及时处理。`,
        link: `/review/${r.id}`,
        subjectKind: 'review',
        subjectId: r.id,
      },
    );
  });
}
