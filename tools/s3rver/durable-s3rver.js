#!/usr/bin/env node
'use strict';

// s3rver (3.7.1) answers a PUT of an object or of a part once the bytes have passed its MD5 transform, not once they
// are in the file: a CompleteMultipartUpload, GET or HEAD that comes right after can read a part or an object that is
// still being written (a 5 MiB + 10 B upload completed as 5 MiB under load). S3 acknowledges a PUT only when the bytes
// are stored. This entry point runs s3rver's own command line with the two writes fixed to answer after the file is
// written and closed, so tests see S3's ordering. Nothing else is changed.

const crypto = require('crypto');
const fs = require('fs-extra');
const path = require('path');
const { Transform, pipeline } = require('stream');
const FilesystemStore = require('s3rver/lib/stores/filesystem');

/** Writes `content` (a Buffer or a stream) to `filePath`; resolves with [size, md5 hex] once the file is closed. */
function writeHashed(filePath, content) {
  const md5 = crypto.createHash('md5');
  if (Buffer.isBuffer(content)) {
    md5.update(content);
    return fs.writeFile(filePath, content).then(() => [content.length, md5.digest('hex')]);
  }

  let size = 0;
  const hashing = new Transform({
    transform(chunk, encoding, callback) {
      md5.update(chunk, encoding);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  return new Promise((resolve, reject) => {
    pipeline(content, hashing, fs.createWriteStream(filePath), error => (error ? reject(error) : resolve([size, md5.digest('hex')])));
  });
}

FilesystemStore.prototype.putObject = async function putObject(object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
  await fs.mkdirp(path.dirname(objectPath));
  const [size, md5] = await writeHashed(objectPath, object.content);
  await this.putMetadata(object.bucket, object.key, object.metadata, md5);
  return { size, md5 };
};

FilesystemStore.prototype.putPart = async function putPart(bucket, uploadId, partNumber, content) {
  const partPath = path.join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId, partNumber.toString());
  await fs.mkdirp(path.dirname(partPath));
  const [size, md5] = await writeHashed(partPath, content);
  await fs.writeFile(`${partPath}.md5`, md5);
  return { size, md5 };
};

require('s3rver/bin/s3rver.js');
