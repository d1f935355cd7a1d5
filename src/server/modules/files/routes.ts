import type { FastifyInstance } from 'fastify';
import { FileParams } from '../../../contracts/files';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import * as svc from './service';

export async function fileRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  const tags = ['files'];

  // public by rule: the service decides per file (listed instruments for everyone, the rest for their owners and reviewers)
  for (const variant of ['original', 'thumb'] as const) {
    const url = variant === 'original' ? '/files/:id' : '/files/:id/thumb';
    const summary = variant === 'original' ? '下载或查看文件（仅限有权查看者）' : '图片缩略图（仅限有权查看者）';
    r.get(url, { config: { policy: 'public' }, schema: { tags, summary, params: FileParams } }, async (req, reply) => {
      const f = await svc.open(deps, req.actor, req.params.id, variant);
      reply
        .header('content-type', f.mime)
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', f.disposition)
        .header('cache-control', f.cache)
        .header('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
      if (f.size !== null) {
        reply.header('content-length', f.size);
        return reply.send(await deps.storage.stream(f.key));
      }
      return reply.send(await deps.storage.get(f.key));
    });
  }
}
