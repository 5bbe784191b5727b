import { describe, expect, it } from 'vitest';
import { esArtifact, esZipPath, mavenFailure } from './maven.js';

describe('maven', () => {
  it('names the integ-test-zip artifact and its place in a local repository', () => {
    expect(esArtifact('8.19.21')).toBe(
      'org.elasticsearch.distribution.integ-test-zip:elasticsearch:8.19.21:zip',
    );
    expect(esZipPath('/root/.m2/repository', '8.19.21')).toBe(
      '/root/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch/8.19.21/elasticsearch-8.19.21.zip',
    );
  });

  it('picks the line that says why mvn failed', () => {
    const output =
      '\x1b[0m\x1b[0m[ERROR] Failed to execute goal org.apache.maven.plugins:maven-dependency-plugin:2.8:get: Could not find artifact x\n' +
      '[ERROR] \n[ERROR] Re-run Maven using the -X switch to enable full debug logging.\n';
    expect(mavenFailure(output)).toBe(
      '[ERROR] Failed to execute goal org.apache.maven.plugins:maven-dependency-plugin:2.8:get: Could not find artifact x',
    );
    expect(mavenFailure('a\nb\n\nc\n')).toBe('a\nb\nc');
  });
});
