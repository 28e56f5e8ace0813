import { describe, expect, it } from 'vitest';
import { dindFailure } from './detect';
import { NodeImageMissingError, OFFLINE_IMAGES_COMMAND, OUR_NODE_IMAGE, PUBLIC_NODE_IMAGE } from './images';

describe('why Docker-in-Docker cannot start', () => {
  it('offline without any node image: says what is missing and the one command that fixes it, in French', () => {
    const reason = dindFailure(new NodeImageMissingError(PUBLIC_NODE_IMAGE, '(HTTP code 500) server error'));
    expect(reason).toContain(OUR_NODE_IMAGE);
    expect(reason).toContain(PUBLIC_NODE_IMAGE);
    expect(reason).toContain('(HTTP code 500) server error');
    expect(reason).toContain(`«\u00a0${OFFLINE_IMAGES_COMMAND}\u00a0»`);
    expect(reason).toMatch(/^aucune image de nœud sur ce moteur Docker/);
  });

  it('a configured image that is missing names the build command of that image', () => {
    const error = new NodeImageMissingError('docker-en-cluster/node:trixie');
    expect(dindFailure(error, 'docker-en-cluster/node:trixie')).toBe(
      'l’image de nœud docker-en-cluster/node:trixie est absente\u00a0: construisez-la (bash server/images/build-node-image.sh docker-en-cluster/node:trixie)',
    );
  });

  it('other failures are reported as they are', () => {
    expect(dindFailure(new Error('permission denied'))).toBe('permission denied');
  });
});
