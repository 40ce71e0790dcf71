export const id = 864;
export const ids = [864];
export const modules = {

/***/ 4246:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   I: () => (/* binding */ InflationLimit),
/* harmony export */   o: () => (/* binding */ defaultMaxInflatedBytes)
/* harmony export */ });
/* harmony import */ var _config_inputs_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4389);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3916);
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6264);



const GIB = 1024 ** 3;
/** Model weights barely compress: a genuine model archive inflates to little more than its size. */
const DEFAULT_RATIO = 16;
const DEFAULT_RULE = `default: the larger of ${DEFAULT_RATIO}× the archive's size and 1 GiB`;
/** `max-inflated-bytes` when it is not set: the larger of 16× the archive's size and 1 GiB. */
function defaultMaxInflatedBytes(archiveSizeBytes) {
    return Math.max(DEFAULT_RATIO * archiveSizeBytes, GIB);
}
/**
 * Counts the bytes an archive inflates to (tar headers, padding and skipped entries included)
 * against `max-inflated-bytes`, and checks each entry's claimed size against what is left of it
 * before anything sizes itself by that claim. Each method returns the error to fail with.
 */
class InflationLimit {
    #maxBytes;
    #inflated = 0;
    /** Where the chunk being parsed starts: an entry it declares lies after this. */
    #chunkStart = 0;
    constructor(maxBytes) {
        this.#maxBytes = maxBytes;
    }
    /** The next chunk out of the decompressor, before it is parsed. */
    inflated(bytes) {
        this.#chunkStart = this.#inflated;
        this.#inflated += bytes;
        if (this.#inflated <= this.#maxBytes)
            return undefined;
        return new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ValidationError */ .yI(`The model archive inflates to more than ${this.#describeLimit()}. Raise the limit only for an archive known to be genuine.`);
    }
    /** An entry's size as its tar (or PAX) header claims it. */
    claimed(path, sizeBytes) {
        const left = this.#maxBytes - this.#chunkStart;
        if (sizeBytes <= left)
            return undefined;
        return new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ValidationError */ .yI(`The archive entry ${JSON.stringify(path)} claims ${describeBytes(sizeBytes)}, more than ` +
            `${left < this.#maxBytes ? `the ${describeBytes(left)} left of ` : ''}${this.#describeLimit()}. ` +
            'Raise the limit only for an archive known to be genuine.');
    }
    #describeLimit() {
        return `the ${describeBytes(this.#maxBytes)} that ${(0,_config_inputs_js__WEBPACK_IMPORTED_MODULE_0__/* .describeInput */ .eG)('maxInflatedBytes')} allows (${DEFAULT_RULE})`;
    }
}
/** `1.00 GiB (1073741824 bytes)`: readable, and exact for whoever sets the limit. */
function describeBytes(bytes) {
    return bytes < 1024 ? (0,_format_js__WEBPACK_IMPORTED_MODULE_1__/* .formatBytes */ .z3)(bytes) : `${(0,_format_js__WEBPACK_IMPORTED_MODULE_1__/* .formatBytes */ .z3)(bytes)} (${bytes} bytes)`;
}


/***/ }),

/***/ 7116:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   i: () => (/* binding */ readModelArchive)
/* harmony export */ });
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8522);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_zlib__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var tar__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8697);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(3916);
/* harmony import */ var _entry_policy_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(4877);
/* harmony import */ var _inflation_limit_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4246);





/**
 * Reads a gzip'd tar as it streams in, handing each `.riva` entry to `onModelFile` while later
 * bytes are still arriving; back-pressure flows from the consumer of each entry to `source`.
 * Resolves when the archive is read and every `onModelFile` has settled; rejects with a
 * ValidationError naming the problem when the archive is not a valid model archive or inflates
 * past `limits`. However it fails, it rejects once, with the first error, after tearing down
 * `source`, the decompressor and every entry still open.
 */
async function readModelArchive(source, limits, onModelFile) {
    // Large output chunks: per-chunk costs (tar parsing, hashing, part assembly) dominate at 16 KiB.
    const gunzip = (0,node_zlib__WEBPACK_IMPORTED_MODULE_0__.createGunzip)({ chunkSize: 512 * 1024 });
    const parser = new tar__WEBPACK_IMPORTED_MODULE_1__/* .Parser */ .iX({ strict: true });
    const inflation = new _inflation_limit_js__WEBPACK_IMPORTED_MODULE_3__/* .InflationLimit */ .I(limits.maxInflatedBytes);
    const modelFiles = [];
    const nonEmptyModelFiles = [];
    const skipped = [];
    const entryPaths = new _entry_policy_js__WEBPACK_IMPORTED_MODULE_2__/* .EntryPaths */ .zX();
    const consumers = [];
    /** Entries the parser emitted that have not ended: a failure destroys them. */
    const openEntries = new Set();
    let settle = () => { };
    const read = new Promise((resolve, reject) => {
        settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    let failure;
    // The one owner of a failed read: the first error wins, and what the teardown causes is ignored.
    const fail = (error) => {
        if (failure !== undefined)
            return;
        failure = error;
        gunzip.off('data', feedParser);
        source.unpipe(gunzip);
        source.destroy();
        gunzip.destroy();
        // Stops the parser mid-chunk: no further entry, no further write to the ones below. (It
        // reports the abort as an error of its own, which arrives here second and is ignored.)
        parser.abort(new Error('The archive is no longer read.'));
        // Each has the reader's own error listener (below), so this never throws; a consumer still
        // waiting to read its entry hears the error when it starts listening.
        for (const entry of openEntries)
            entry.destroy(error);
        openEntries.clear();
        settle(error);
    };
    // node-tar's Parser is no Node stream: `pipe` would call a `destroy` it does not have when a
    // write throws. It is written to here, pausing the decompressor while it is full.
    const feedParser = (chunk) => {
        const tooLarge = inflation.inflated(chunk.length);
        if (tooLarge !== undefined)
            return fail(tooLarge);
        try {
            if (!parser.write(chunk))
                gunzip.pause();
        }
        catch (error) {
            fail(notATar(error));
        }
    };
    parser.on('drain', () => gunzip.resume());
    gunzip.on('data', feedParser);
    gunzip.on('end', () => {
        try {
            parser.end();
        }
        catch (error) {
            fail(notATar(error));
        }
    });
    parser.on('entry', (entry) => {
        // Failures are handled by `fail`; this listener is what makes destroying an entry that
        // nobody reads yet safe.
        entry.on('error', () => { });
        if (failure !== undefined) {
            entry.resume();
            return;
        }
        openEntries.add(entry);
        entry.on('end', () => openEntries.delete(entry));
        let decision;
        try {
            // Before anything sizes itself by the entry's claimed size.
            const tooLarge = inflation.claimed(entry.path, entry.size);
            if (tooLarge !== undefined)
                throw tooLarge;
            decision = (0,_entry_policy_js__WEBPACK_IMPORTED_MODULE_2__/* .classifyEntry */ .Fs)(entry);
            // Before the entry is handed on: a duplicate must never reach the upload.
            if (decision.action !== 'ignore')
                entryPaths.claim(entry.path, decision.path);
        }
        catch (error) {
            fail(error);
            return;
        }
        if (decision.action !== 'stage') {
            if (decision.action === 'skip')
                skipped.push(decision.path);
            entry.resume();
            return;
        }
        modelFiles.push(decision.path);
        if (entry.size > 0)
            nonEmptyModelFiles.push(decision.path);
        const consumed = onModelFile({ path: decision.path, sizeBytes: entry.size, content: entry });
        consumers.push(consumed);
        consumed.catch((error) => fail(error));
    });
    parser.on('end', () => settle());
    parser.on('error', (error) => fail(notATar(error)));
    gunzip.on('error', (error) => fail(gzipError(error)));
    source.on('error', (error) => fail(error));
    source.pipe(gunzip);
    try {
        await read;
        await Promise.all(consumers);
    }
    catch (error) {
        // Let every file already being handed over finish or fail before reporting, so that what
        // landed is known (and recorded) when the caller cleans up.
        await Promise.allSettled(consumers);
        throw failure ?? error;
    }
    if (failure !== undefined)
        throw failure;
    if (nonEmptyModelFiles.length === 0) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .ValidationError */ .yI(`The model archive holds no non-empty .riva file${modelFiles.length > 0 ? ` (only empty ones: ${modelFiles.join(', ')})` : ''}.`);
    }
    return { modelFiles, skipped };
}
function notATar(error) {
    return new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .ValidationError */ .yI(`The model archive is not a valid tar: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .errorMessage */ .gJ)(error)}`);
}
function gzipError(error) {
    const code = error.code;
    if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(error.message)) {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .ValidationError */ .yI('The model archive is truncated: its gzip stream ends early.');
    }
    return new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .ValidationError */ .yI(`The model archive is not a valid gzip file: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .errorMessage */ .gJ)(error)}.`);
}


/***/ }),

/***/ 864:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  stageFullContent: () => (/* binding */ stageFullContent)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(7075);
// EXTERNAL MODULE: external "node:stream/promises"
var promises_ = __webpack_require__(6466);
// EXTERNAL MODULE: ./src/archive/inflation-limit.ts
var inflation_limit = __webpack_require__(4246);
// EXTERNAL MODULE: ./src/archive/model-archive.ts
var model_archive = __webpack_require__(7116);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/layout.ts
var src_layout = __webpack_require__(5005);
// EXTERNAL MODULE: ./src/limit.ts
var limit = __webpack_require__(7768);
// EXTERNAL MODULE: ./src/s3/multipart.ts
var multipart = __webpack_require__(6242);
// EXTERNAL MODULE: ./src/s3/server-side-copy.ts
var server_side_copy = __webpack_require__(7249);
;// CONCATENATED MODULE: ./src/streams.ts

/**
 * `source` piped into every one of `targets`, at the pace of the slowest, with an error on the
 * source ending each target with it (plain `pipe` would leave them waiting forever).
 */
function teeInto(source, targets) {
    for (const target of targets)
        source.pipe(target);
    source.on('error', (error) => {
        for (const target of targets)
            target.destroy(error);
    });
}
/** Passes bytes through unchanged, adding each chunk to `hash` on the way. */
function hashingTransform(hash) {
    return new external_node_stream_.Transform({
        transform(chunk, _encoding, callback) {
            hash.update(chunk);
            callback(null, chunk);
        },
    });
}
/** `source` piped into `target`, with an error on either side destroying both. */
function pipelineInto(source, target) {
    (0,external_node_stream_.pipeline)(source, target, () => {
        // Errors reach the consumer through `target`'s own 'error' event.
    });
    return target;
}

// EXTERNAL MODULE: ./src/transfer-progress.ts
var transfer_progress = __webpack_require__(3854);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./src/s3/uri.ts
var s3_uri = __webpack_require__(5100);
;// CONCATENATED MODULE: ./src/cache/archive-cache.ts


/** Bumped when the cache's file layout changes, so an old entry is never misread. */
const CACHE_FORMAT = 'v1';
/**
 * Archive URI + ETag + size (+ cache format): a changed source object never hits an old entry.
 * Only characters that both backends accept in keys and file names.
 */
function archiveCacheKey(source) {
    const uri = (0,external_node_crypto_.createHash)('sha256').update((0,s3_uri/* formatS3Uri */.EO)(source.location)).digest('hex').slice(0, 16);
    const etag = source.info.etag.replace(/[^A-Za-z0-9-]/g, '');
    return `riva-130-stage-${CACHE_FORMAT}-${uri}-${etag}-${source.info.size}`;
}

// EXTERNAL MODULE: ./src/format.ts
var format = __webpack_require__(6264);
// EXTERNAL MODULE: ./src/s3/resumable-download.ts
var resumable_download = __webpack_require__(2519);
;// CONCATENATED MODULE: ./src/s3/etag.ts

/** The encryption values (HEAD's `x-amz-server-side-encryption`, or `SSE-C`) whose ETags are not MD5s. */
const OPAQUE_ENCRYPTION = new Set(['aws:kms', 'aws:kms:dsse', 'SSE-C']);
function etagForm(etag, encryption) {
    if (encryption !== undefined && OPAQUE_ENCRYPTION.has(encryption)) {
        return { kind: 'opaque', why: `the object is encrypted with ${encryption}, so its ETag is no MD5 of its bytes` };
    }
    const match = /^([0-9a-f]{32})(?:-(\d+))?$/i.exec(etag);
    if (match === null)
        return { kind: 'opaque', why: `its ETag ${etag} is no MD5` };
    if (match[2] === undefined)
        return { kind: 'md5' };
    const parts = Number(match[2]);
    return parts >= 1 ? { kind: 'multipart', parts } : { kind: 'opaque', why: `its ETag ${etag} names no parts` };
}
/** S3's ETag of a multipart object from its parts' binary MD5s. */
function multipartEtag(partDigests) {
    return `${(0,external_node_crypto_.createHash)('md5').update(Buffer.concat(partDigests)).digest('hex')}-${partDigests.length}`;
}
/**
 * The ETag bytes of this form would have, given the binary MD5 of each part (one part for a
 * single-part object).
 */
function etagOfParts(form, partDigests) {
    if (form.kind === 'md5')
        return partDigests.length === 1 ? partDigests[0]?.toString('hex') : undefined;
    if (form.kind === 'multipart')
        return multipartEtag(partDigests);
    return undefined;
}
/**
 * The binary MD5 of each `partSize` slice of a byte stream fed in chunks of any size, as S3
 * computes them for a multipart upload of that part size (every part but the last full).
 */
class PartDigests {
    #partSize;
    #digests = [];
    #current = (0,external_node_crypto_.createHash)('md5');
    #currentBytes = 0;
    /** `Infinity` for a single part spanning the whole stream. */
    constructor(partSize) {
        if (!(partSize > 0))
            throw new RangeError(`part size must be positive, not ${partSize}`);
        this.#partSize = partSize;
    }
    update(chunk) {
        let offset = 0;
        while (offset < chunk.length) {
            const take = Math.min(chunk.length - offset, this.#partSize - this.#currentBytes);
            this.#current.update(chunk.subarray(offset, offset + take));
            this.#currentBytes += take;
            offset += take;
            if (this.#currentBytes === this.#partSize)
                this.#close();
        }
    }
    /** The digests of every part; an empty stream is one empty part, as a PutObject of no bytes. */
    digests() {
        if (this.#currentBytes > 0 || this.#digests.length === 0)
            this.#close();
        return this.#digests;
    }
    #close() {
        this.#digests.push(this.#current.digest());
        this.#current = (0,external_node_crypto_.createHash)('md5');
        this.#currentBytes = 0;
    }
}

;// CONCATENATED MODULE: ./src/operations/stage/cache-proof.ts




/**
 * Checks a cached archive against the source object, reading the file once for its SHA-256
 * and, where the ETag is an MD5 of the bytes, the MD5s that recompute it.
 */
async function proveCachedArchive(cached, context) {
    const { info } = context.source;
    if (cached.sizeBytes !== info.size)
        return { kind: 'disproven', problem: `${cached.sizeBytes} bytes, the archive has ${info.size}` };
    if (info.sha256 !== null)
        return againstS3Sha256(cached, info.sha256);
    const plan = await etagPlan(context);
    const digests = await digestsOf(cached.path, 'partSize' in plan ? plan.partSize : undefined);
    if (digests.sha256 !== cached.sha256) {
        return { kind: 'disproven', problem: `its SHA-256 is ${digests.sha256}, ${cached.sha256} was recorded` };
    }
    if (context.knownSha256.some((known) => known.toLowerCase() === digests.sha256)) {
        return { kind: 'proven', how: 'its SHA-256 is one this run knows for the archive' };
    }
    if (!('form' in plan))
        return { kind: 'unproven', why: plan.why };
    const etag = etagOfParts(plan.form, digests.parts);
    if (etag === info.etag.toLowerCase())
        return { kind: 'proven', how: 'its ETag matches S3\'s' };
    // Genuine bytes uploaded with parts of varying sizes would land here too: a needless download,
    // never other bytes used.
    return { kind: 'disproven', problem: `its bytes give the ETag ${etag ?? 'none'}, S3's is ${info.etag}` };
}
/** S3's own SHA-256 of the whole object settles it, either way. */
async function againstS3Sha256(cached, s3Sha256) {
    // The recorded hash spares reading a file that cannot match.
    if (cached.sha256 !== s3Sha256)
        return { kind: 'disproven', problem: 'recorded SHA-256 differs from S3\'s' };
    const { sha256 } = await digestsOf(cached.path, undefined);
    if (sha256 === s3Sha256)
        return { kind: 'proven', how: 'its SHA-256 matches S3\'s' };
    return { kind: 'disproven', problem: `its SHA-256 is ${sha256}, S3's is ${s3Sha256}` };
}
async function etagPlan(context) {
    const { location, info } = context.source;
    const form = etagForm(info.etag, info.encryption);
    if (form.kind === 'opaque')
        return { why: form.why };
    if (form.kind === 'md5')
        return { form, partSize: Infinity };
    // A multipart ETag depends on the part size, which only the server knows: part 1's size, as
    // uploaders use one size for every part but the last.
    const needs = 'its multipart ETag needs the part size';
    let part;
    try {
        part = await context.store.headPart(location, 1, 'the model archive');
    }
    catch (error) {
        if (error instanceof errors/* DeadlineError */.j3)
            throw error;
        return { why: `${needs}, and the server did not answer a HEAD of part 1: ${(0,errors/* errorMessage */.gJ)(error)}` };
    }
    if (part.partsCount === undefined)
        return { why: `${needs}, and the server reports no part count for a HEAD of part 1` };
    if (part.etag !== info.etag)
        return { why: `the archive's ETag changed to ${part.etag} meanwhile` };
    if (part.partsCount !== form.parts)
        return { why: `the server counts ${part.partsCount} parts, the ETag ${form.parts}` };
    if (part.size <= 0 || Math.ceil(info.size / part.size) !== form.parts) {
        return { why: `its ${form.parts} parts are not all of part 1's ${part.size} bytes` };
    }
    return { form, partSize: part.size };
}
/** SHA-256 of the file and, given a part size, the binary MD5 of each part, in one read. */
async function digestsOf(path, partSize) {
    const sha256 = (0,external_node_crypto_.createHash)('sha256');
    const parts = partSize === undefined ? undefined : new PartDigests(partSize);
    for await (const chunk of (0,external_node_fs_.createReadStream)(path, { highWaterMark: 1024 * 1024 })) {
        sha256.update(chunk);
        parts?.update(chunk);
    }
    return { sha256: sha256.digest('hex'), parts: parts?.digests() ?? [] };
}

;// CONCATENATED MODULE: ./src/operations/stage/archive-source.ts








/**
 * A cached archive is used only once its bytes are shown to be the source object's: its ETag
 * recomputed from the file, or its SHA-256 equal to S3's or to one the caller vouches for (see
 * cache-proof.ts). An entry shown false is discarded with a warning; one that nothing can prove
 * is passed over with a log line. Either way the bytes come from S3, and the one download also
 * writes the cache entry, kept only after the pass verified it.
 */
async function openArchiveBytes(context) {
    const { source, cache, log } = context;
    const key = cache === undefined ? undefined : archiveCacheKey(source);
    if (cache !== undefined && key !== undefined) {
        const cached = await cache.restore(key);
        if (cached !== undefined) {
            const proof = await proveCachedArchive(cached, { source, store: context.store, knownSha256: context.knownSha256 });
            if (proof.kind === 'proven') {
                log(`Reading the model archive from the ${cache.description} (${(0,format/* formatBytes */.z3)(cached.sizeBytes)} not downloaded; ${proof.how}).`);
                const stream = (0,external_node_fs_.createReadStream)(cached.path, { highWaterMark: 1024 * 1024 });
                stream.on('data', (chunk) => context.progress.add(chunk.length));
                return { stream, cache: 'hit', cacheDescription: cache.description, keep: async () => { }, discard: async () => { } };
            }
            if (proof.kind === 'unproven') {
                log(`Not using the cached copy of the model archive: nothing shows its bytes are the source object's (${proof.why}); reading from S3.`);
            }
            else {
                context.warn(`The cached copy of the model archive is unusable (${proof.problem}); discarding it and reading from S3.`);
                await cache.discard(key);
            }
        }
    }
    const download = (0,resumable_download/* resumableDownload */.x)(context.store, source.location, {
        etag: source.info.etag,
        sizeBytes: source.info.size,
        maxAttempts: context.maxAttempts,
        what: 'the model archive',
        onBytes: (bytes) => context.progress.add(bytes),
        log,
    });
    if (cache === undefined || key === undefined) {
        return { stream: download, cache: 'off', cacheDescription: undefined, keep: async () => { }, discard: async () => { } };
    }
    const writer = await cache.begin(key);
    const toPass = new external_node_stream_.PassThrough({ highWaterMark: 1024 * 1024 });
    const toCache = (0,external_node_fs_.createWriteStream)(writer.path);
    teeInto(download, [toPass, toCache]);
    const written = (0,promises_.finished)(toCache);
    written.catch(() => undefined);
    let outcome = 'miss';
    return {
        stream: toPass,
        get cache() {
            return outcome;
        },
        cacheDescription: cache.description,
        keep: async (sha256) => {
            try {
                await written;
                await writer.commit(sha256);
                // A cache that uploads once the staging is done (the Actions cache) says when it saves.
                log(cache.uploads === undefined ? `Saved the model archive to the ${cache.description}.` : `The model archive goes to the ${cache.description} once the staging is done.`);
            }
            catch (error) {
                outcome = 'unsaved';
                context.warn(`Could not save the model archive to the ${cache.description}: ${error.message}`);
                await writer.discard().catch(() => log(`Could not remove the partial copy ${writer.path}.`));
            }
        },
        discard: () => {
            // The pass failed: stop the download, which would otherwise go on feeding the cache file.
            download.destroy();
            toCache.destroy();
            return writer.discard();
        },
    };
}

;// CONCATENATED MODULE: ./src/operations/stage/pass-writes.ts


/**
 * How long a failing pass waits for its writes in flight to end once their uploads are aborted,
 * before it aborts what they opened meanwhile; never past the cleanup deadline of a stopped run.
 */
const SETTLE_WAIT_MS = 2000;
/**
 * Every write a full-mode pass starts (uploads, the archive copy), so that a failing pass has
 * one owner of its failure: the first error wins, no write starts after it, every multipart
 * upload is aborted, the writes in flight are waited for (a copy or upload may still land after
 * the failure), and, for a rejected archive, everything the pass wrote is removed.
 */
class PassWrites {
    uploads = new multipart/* MultipartUploads */.NP();
    #inFlight = new Set();
    #targets = new Map();
    #failure;
    #failed = false;
    /** Starts a write to `location`, unless the pass has failed already (then it fails the same way). */
    start(location, what, write) {
        if (this.#failed)
            return Promise.reject(this.#failure);
        this.#targets.set((0,s3_uri/* formatS3Uri */.EO)(location), { location, what });
        const promise = write();
        this.#inFlight.add(promise);
        const settled = () => this.#inFlight.delete(promise);
        promise.then(settled, settled);
        return promise;
    }
    /** Also removed when the archive is rejected: objects an earlier run of this source staged. */
    adopt(location, what) {
        this.#targets.set((0,s3_uri/* formatS3Uri */.EO)(location), { location, what });
    }
    /**
     * The pass failed with `error`: nothing new starts, open uploads are aborted, writes in flight
     * are given a moment to end (`deadline`: the cleanup's, which cuts that moment short), and
     * whatever they opened meanwhile is aborted too. Never throws.
     */
    async stop(error, deadline, log, warn) {
        if (!this.#failed) {
            this.#failed = true;
            this.#failure = error;
        }
        const first = await this.uploads.abortAll();
        await settle([...this.#inFlight], SETTLE_WAIT_MS, deadline);
        const late = await this.uploads.abortAll();
        (0,multipart/* reportAborts */.EP)({ aborted: [...first.aborted, ...late.aborted], failed: [...first.failed, ...late.failed] }, log, warn);
    }
    /**
     * Removes every object the pass wrote, started or adopted, except what `keep` spares (what the
     * in-progress record lists, after a failure a re-run continues from); what cannot be removed is a
     * warning. Writes still in flight are waited for first, however long they take: a server-side
     * copy of a large archive completes on the server whatever the client does, and must not land
     * after its removal.
     */
    async removeAll(store, log, warn, keep = () => false) {
        await Promise.allSettled([...this.#inFlight]);
        const failed = [];
        const targets = [...this.#targets.values()].filter(({ location }) => !keep(location));
        for (const { location, what } of targets) {
            try {
                await store.delete(location, what);
            }
            catch (error) {
                failed.push(`${(0,s3_uri/* formatS3Uri */.EO)(location)} (${error.message})`);
            }
        }
        if (targets.length > failed.length)
            log(`Removed ${targets.length - failed.length} object(s) of the failed pass that a re-run would not reuse.`);
        if (failed.length > 0)
            warn(`Could not remove what the failed pass staged: ${failed.join('; ')}. Nothing is marked staged; remove them or re-run.`);
    }
}
/** Waits for `promises` to settle, for `waitMs` at most, and not past `deadline`. */
async function settle(promises, waitMs, deadline) {
    let timer;
    let onDeadline = () => { };
    const budget = new Promise((resolve) => {
        timer = setTimeout(resolve, waitMs);
        onDeadline = resolve;
        if (deadline?.aborted)
            resolve();
        deadline?.addEventListener('abort', onDeadline, { once: true });
    });
    await Promise.race([Promise.allSettled(promises), budget]);
    clearTimeout(timer);
    deadline?.removeEventListener('abort', onDeadline);
}

;// CONCATENATED MODULE: ./src/operations/stage/full.ts














/** `.riva` uploads in flight at once; each holds at most UPLOAD_QUEUE_SIZE parts in memory. */
const MODEL_UPLOADS_IN_FLIGHT = 2;
/**
 * full: one streaming pass over the archive. The bytes from S3 are hashed, decompressed and
 * split into `.riva` entries, each hashed again and uploaded while later bytes still arrive;
 * the archive's own copy is made server-side meanwhile. Nothing touches the disk.
 */
async function stageFullContent(context) {
    const { layout, source, store, log } = context;
    const { sourceCopy } = layout;
    if (source.info.size === 0)
        throw new errors/* ValidationError */.yI('The model archive is empty (0 bytes).');
    const writes = new PassWrites();
    const { uploads } = writes;
    const completed = [];
    const reused = [];
    const warnings = [];
    const sourceCopyPath = (0,src_layout/* relativeToPrefix */.UN)(layout, sourceCopy);
    let archive;
    try {
        const earlierCopy = context.reusable.get(sourceCopyPath);
        const copySource = { location: source.location, etag: source.info.etag, sizeBytes: source.info.size };
        const copyDone = earlierCopy !== undefined && earlierCopy.sizeBytes === source.info.size;
        const uploadArchiveBytes = !copyDone && !(await (0,server_side_copy/* supportsServerSideCopy */.O_)(store, uploads, copySource, sourceCopy, context.warn));
        if (uploadArchiveBytes)
            log('The S3 server does not copy objects server-side: uploading the archive from the same download.');
        if (copyDone)
            reused.push(sourceCopyPath);
        const copy = copyDone
            ? Promise.resolve({ location: sourceCopy, sizeBytes: earlierCopy.sizeBytes, etag: earlierCopy.etag, what: 'the archive copy' })
            : uploadArchiveBytes
                ? undefined
                : writes.start(sourceCopy, 'the archive copy', async () => {
                    const object = await copyArchive(context, uploads);
                    context.timeline.mark('archive copied');
                    await context.record.add({ path: sourceCopyPath, sizeBytes: object.sizeBytes, sha256: null, etag: object.etag });
                    return object;
                });
        if (copyDone)
            writes.adopt(sourceCopy, 'the archive copy');
        const progress = transfer_progress/* TransferProgress */.v5.on(context.progress, 'Reading the model archive', source.info.size);
        archive = await openArchiveBytes({
            source,
            store,
            cache: context.cache,
            knownSha256: context.knownSha256,
            maxAttempts: context.config.connection.maxAttempts,
            progress,
            log,
            warn: (message) => {
                warnings.push(message);
                log(`Warning: ${message}`);
            },
        });
        const bytes = archive.stream;
        // A failed copy stops the pass at once rather than after the whole archive was read.
        copy?.catch((error) => bytes.destroy(error));
        const archiveHash = (0,external_node_crypto_.createHash)('sha256');
        const hashed = pipelineInto(bytes, hashingTransform(archiveHash));
        // Listening once beside the pipe observes the first chunk without changing the flow.
        bytes.once('data', () => context.timeline.markFirst('first byte down'));
        bytes.once('end', () => context.timeline.mark('last byte down'));
        let archiveUpload;
        let archiveStream = hashed;
        if (uploadArchiveBytes) {
            // Tee: the same bytes feed the archive reader and the archive's upload, at the pace of the slower.
            const toReader = new external_node_stream_.PassThrough();
            const toUpload = new external_node_stream_.PassThrough();
            teeInto(hashed, [toReader, toUpload]);
            archiveStream = toReader;
            archiveUpload = writes.start(sourceCopy, 'the archive copy', async () => {
                const { etag } = await (0,multipart/* uploadStream */.CG)(store, uploads, sourceCopy, toUpload, source.info.size, 'the archive copy');
                context.timeline.mark('archive copied');
                return { location: sourceCopy, sizeBytes: source.info.size, etag, what: 'the archive copy' };
            });
        }
        const files = [];
        const slots = new limit/* Semaphore */.j(MODEL_UPLOADS_IN_FLIGHT);
        const maxInflatedBytes = context.config.maxInflatedBytes ?? (0,inflation_limit/* defaultMaxInflatedBytes */.o)(source.info.size);
        const contents = await (0,model_archive/* readModelArchive */.i)(archiveStream, { maxInflatedBytes }, async (entry) => {
            const release = await slots.acquire();
            try {
                const staged = await stageModelFile(context, writes, entry);
                files.push(staged.file);
                completed.push(staged.object);
                if (staged.reused)
                    reused.push(staged.file.path);
            }
            finally {
                release();
            }
        });
        const archiveCopy = await (archiveUpload ?? copy);
        completed.push(archiveCopy);
        progress.showNow();
        const sourceSha256 = archiveHash.digest('hex');
        checkArchiveHash(sourceSha256, context);
        await archive.keep(sourceSha256);
        files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
        const modelBytes = files.filter((file) => !reused.includes(file.path)).reduce((sum, file) => sum + file.sizeBytes, 0);
        return {
            sourceSha256,
            sourceCopy: { path: sourceCopyPath, location: sourceCopy, sizeBytes: archiveCopy.sizeBytes, etag: archiveCopy.etag, sha256: sourceSha256 },
            files,
            objects: completed,
            documents: [checksumsDocument(layout, sourceSha256, files)],
            cache: cacheReport(archive, context.cache, source.info.size),
            transfer: {
                bytesDownloaded: archive.cache === 'hit' ? 0 : progress.bytes,
                bytesUploaded: modelBytes + (uploadArchiveBytes ? source.info.size : 0),
                bytesCopiedServerSide: uploadArchiveBytes || copyDone ? 0 : source.info.size,
            },
            reused,
            bytesDuplicationAvoided: context.containers.reduce((sum, container) => sum + container.info.size, 0),
            skippedEntries: contents.skipped,
            warnings,
        };
    }
    catch (error) {
        // The first error is the answer; tearing down must not replace it.
        archive?.stream.destroy();
        await archive?.discard().catch(() => undefined);
        const cleanup = store.cleanupView('writes');
        await writes.stop(error, cleanup.signal, log, context.warn);
        // Files from an archive that failed validation must not linger where the next run or a
        // reader could take them for staged ones; other failures keep what the in-progress record
        // lists, for a re-run to continue from, and nothing else (a re-run could not reuse it).
        if (error instanceof errors/* ValidationError */.yI) {
            for (const entry of context.reusable.values())
                writes.adopt((0,src_layout/* stagingObject */.lM)(layout, entry.path), entry.path);
            await writes.removeAll(cleanup, log, context.warn);
            await context.record.remove(cleanup).catch((failure) => context.warn(`Could not remove the in-progress record: ${failure.message}`));
        }
        else {
            await writes.removeAll(cleanup, log, context.warn, (location) => context.record.persists((0,src_layout/* relativeToPrefix */.UN)(layout, location)));
        }
        throw error;
    }
}
/**
 * The pass's cache outcome, read when the summary is written: a cache that uploads once the
 * staging is done (the Actions cache) may fail to save the entry after the pass ended.
 */
function cacheReport(archive, cache, archiveSize) {
    return {
        get outcome() {
            return archive.cache === 'miss' && cache?.uploads?.failed === true ? 'unsaved' : archive.cache;
        },
        description: archive.cacheDescription,
        bytesNotDownloaded: archive.cache === 'hit' ? archiveSize : 0,
    };
}
/**
 * One `.riva` entry as it streams out of the archive: hashed and uploaded, or, when an earlier
 * run of this source staged it unchanged, hashed and checked against that run's record only.
 */
async function stageModelFile(context, writes, entry) {
    const { path, location } = (0,src_layout/* stagedModelFile */.AO)(context.layout, entry.path);
    const fileHash = (0,external_node_crypto_.createHash)('sha256');
    const body = hashingTransform(fileHash);
    entry.content.on('error', (error) => body.destroy(error));
    entry.content.pipe(body);
    const earlier = context.reusable.get(path);
    if (earlier !== undefined && earlier.sizeBytes === entry.sizeBytes && earlier.sha256 !== null) {
        // Staged by an earlier run of this source: read past it, and make sure it is the same file.
        body.resume();
        await (0,promises_.finished)(body);
        const sha256 = fileHash.digest('hex');
        if (sha256 !== earlier.sha256) {
            throw new errors/* ValidationError */.yI(`${path} in the archive hashes to ${sha256}, but an earlier run staged it as ${earlier.sha256}. Re-run with \`force\`.`);
        }
        context.log(`Reused ${path} (already staged by an earlier run, sha256 ${sha256})`);
        return {
            file: { path, location, sizeBytes: entry.sizeBytes, etag: earlier.etag, sha256 },
            object: { location, sizeBytes: entry.sizeBytes, etag: earlier.etag, what: path },
            reused: true,
        };
    }
    const { etag } = await writes.start(location, path, () => (0,multipart/* uploadStream */.CG)(context.store, writes.uploads, location, body, entry.sizeBytes, path, () => context.timeline.mark('last part up')));
    context.timeline.mark('files uploaded');
    const sha256 = fileHash.digest('hex');
    await context.record.add({ path, sizeBytes: entry.sizeBytes, sha256, etag });
    context.log(`Staged ${path} (${entry.sizeBytes} bytes, sha256 ${sha256})`);
    return {
        file: { path, location, sizeBytes: entry.sizeBytes, etag, sha256 },
        object: { location, sizeBytes: entry.sizeBytes, etag, what: path },
        reused: false,
    };
}
/** The archive's copy under `source/`, made by S3. */
async function copyArchive(context, uploads) {
    const target = context.layout.sourceCopy;
    const { info, location } = context.source;
    const { etag } = await (0,server_side_copy/* serverSideCopy */.y4)(context.store, uploads, { location, etag: info.etag, sizeBytes: info.size }, target);
    return { location: target, sizeBytes: info.size, etag, what: 'the archive copy' };
}
function checkArchiveHash(sha256, context) {
    const expected = context.config.expectedSha256;
    if (expected !== undefined && expected !== sha256) {
        throw new errors/* ValidationError */.yI(`The model archive hashes to ${sha256}, not the expected ${expected} (\`expected-sha256\` / RIVA_ASR_MODEL_SHA256). ` +
            'It is not the archive that was validated; nothing was marked staged.');
    }
    const recorded = context.source.info.sha256;
    if (recorded !== null && recorded !== sha256) {
        throw new errors/* ValidationError */.yI(`The model archive hashes to ${sha256}, but S3 records its SHA-256 as ${recorded}: the bytes read are not the object's.`);
    }
}
/** `sha256sum -c` format, paths relative to the staging prefix, the archive first. */
function checksumsDocument(layout, sourceSha256, files) {
    const lines = [
        `${sourceSha256}  ${(0,src_layout/* relativeToPrefix */.UN)(layout, layout.sourceCopy)}`,
        ...files.map((file) => `${file.sha256}  ${file.path}`),
    ];
    return {
        location: layout.checksums,
        body: `${lines.join('\n')}\n`,
        contentType: 'text/plain; charset=utf-8',
        what: 'the checksums file',
    };
}


/***/ }),

/***/ 6242:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   CG: () => (/* binding */ uploadStream),
/* harmony export */   EP: () => (/* binding */ reportAborts),
/* harmony export */   NP: () => (/* binding */ MultipartUploads)
/* harmony export */ });
/* unused harmony exports UPLOAD_QUEUE_SIZE, UPLOAD_MEMORY_BUDGET, MAX_STREAM_UPLOAD_BYTES, partSizeFor, queueSizeFor */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3916);
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6264);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1863);



const MIB = 1024 * 1024;
/** Parts in flight per upload while parts are small. */
const UPLOAD_QUEUE_SIZE = 4;
const MIN_PART_SIZE = 8 * MIB;
/**
 * Part buffers one upload holds at most (lib-storage keeps every part in flight in memory): 4
 * parts of 8 MiB. Larger parts mean fewer of them in flight, never more memory; the README's
 * memory limit rests on this, whatever size an upload is told.
 */
const UPLOAD_MEMORY_BUDGET = UPLOAD_QUEUE_SIZE * MIN_PART_SIZE;
/**
 * A part costs more than its size: lib-storage copies each part together from the chunks it
 * read, and both wait for a garbage collection. Measured in full mode (peak RSS, one upload):
 * 230 MiB with 8 MiB parts 4 in flight, 244 MiB with 16 MiB parts 2 in flight, but 273 MiB with
 * a single 32 MiB part in flight, too close to the README's 300 MiB. So parts stop at 16 MiB.
 */
const MAX_PART_SIZE = 16 * MIB;
// S3 allows 10,000 parts; keep a margin for a size that grows by a header or two.
const MAX_PARTS = 9_000;
/** The largest body `uploadStream` takes: 9,000 parts of 16 MiB (140.63 GiB). */
const MAX_STREAM_UPLOAD_BYTES = MAX_PARTS * MAX_PART_SIZE;
/** Parts of at least 8 MiB, larger when needed to stay under S3's 10,000-part limit. */
function partSizeFor(sizeBytes) {
    return Math.max(MIN_PART_SIZE, Math.ceil(sizeBytes / MAX_PARTS / MIB) * MIB);
}
/** Parts in flight for parts of `partSize`: as many as `UPLOAD_MEMORY_BUDGET` holds, 1 to `UPLOAD_QUEUE_SIZE`. */
function queueSizeFor(partSize) {
    return Math.max(1, Math.min(UPLOAD_QUEUE_SIZE, Math.floor(UPLOAD_MEMORY_BUDGET / partSize)));
}
/**
 * Every multipart upload a run starts, so that a failing run can abort them all: a failure must
 * never leave parts behind (they cost storage and are invisible in listings).
 */
class MultipartUploads {
    #open = new Set();
    /** An upload the store started for a stream. */
    track(upload) {
        this.#open.add(upload);
    }
    /** A multipart upload opened by id (a server-side multipart copy); returns how to forget it once completed. */
    opened(store, uploadId, location) {
        const upload = { location, uploadId, abort: () => store.abortMultipartUpload(location, uploadId) };
        this.#open.add(upload);
        return () => this.#open.delete(upload);
    }
    settled(upload) {
        this.#open.delete(upload);
    }
    /**
     * Aborts everything still open; best effort, never throws (the run is failing already). What
     * could not be aborted (a server without AbortMultipartUpload, a denied request) is returned
     * for a warning: its parts stay until a lifecycle rule removes them.
     */
    async abortAll() {
        const uploads = [...this.#open];
        this.#open.clear();
        const outcomes = await Promise.all(uploads.map(async (upload) => {
            const name = `${upload.location.key}#${upload.uploadId ?? ''}`;
            try {
                await upload.abort();
                // An upload that never opened a multipart upload (a single PutObject) left nothing.
                return { aborted: upload.uploadId === undefined ? [] : [name], failed: [] };
            }
            catch (error) {
                // Already completed or aborted (NoSuchUpload) is the outcome we want.
                if ((0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .errorCodeOf */ .D9)(error) === 'NoSuchUpload')
                    return { aborted: [], failed: [] };
                return { aborted: [], failed: [`${name} (${(0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .errorCodeOf */ .D9)(error)})`] };
            }
        }));
        return { aborted: outcomes.flatMap((outcome) => outcome.aborted), failed: outcomes.flatMap((outcome) => outcome.failed) };
    }
}
/** Logs what was aborted and warns about what could not be: the cleanup every failing transfer ends with. */
function reportAborts(outcome, log, warn) {
    if (outcome.aborted.length > 0)
        log(`Aborted ${outcome.aborted.length} multipart upload(s): ${outcome.aborted.join(', ')}`);
    if (outcome.failed.length > 0) {
        warn(`Could not abort ${outcome.failed.length} multipart upload(s): ${outcome.failed.join(', ')}. Their parts stay (and cost ` +
            'storage) until removed: give the bucket a lifecycle rule with AbortIncompleteMultipartUpload.');
    }
}
/**
 * Uploads a stream of known size: one PutObject for a small body, else a multipart upload with
 * `queueSizeFor` parts in flight, pulling from `body` only as parts complete. A size over
 * `MAX_STREAM_UPLOAD_BYTES` is refused before anything is read or sent.
 */
async function uploadStream(store, uploads, location, body, sizeBytes, what, onPartAcknowledged) {
    if (sizeBytes > MAX_STREAM_UPLOAD_BYTES) {
        // Nothing will read it now: end it here, quietly (its producer hears of the failure from the caller).
        body.destroy();
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ValidationError */ .yI(`Cannot upload ${what}: it is ${(0,_format_js__WEBPACK_IMPORTED_MODULE_0__/* .formatBytes */ .z3)(sizeBytes)} (${sizeBytes} bytes), and the largest file this tool uploads is ` +
            `${(0,_format_js__WEBPACK_IMPORTED_MODULE_0__/* .formatBytes */ .z3)(MAX_STREAM_UPLOAD_BYTES)} (${MAX_PARTS} parts of at most ${(0,_format_js__WEBPACK_IMPORTED_MODULE_0__/* .formatBytes */ .z3)(MAX_PART_SIZE)}, so that memory stays bounded).`);
    }
    const partSize = partSizeFor(sizeBytes);
    let open;
    try {
        const result = await store.uploadStream(location, body, {
            partSize,
            queueSize: queueSizeFor(partSize),
            contentType: 'application/octet-stream',
            onPartAcknowledged,
            onOpen: (upload) => {
                open = upload;
                uploads.track(upload);
            },
        });
        if (open !== undefined)
            uploads.settled(open);
        return result;
        // A failed upload stays tracked, so that abortAll makes sure its parts are gone.
    }
    catch (error) {
        throw store.describeError(error, `upload ${what}`, location);
    }
}


/***/ }),

/***/ 7249:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   O_: () => (/* binding */ supportsServerSideCopy),
/* harmony export */   y4: () => (/* binding */ serverSideCopy)
/* harmony export */ });
/* unused harmony export SINGLE_COPY_LIMIT */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3916);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1863);
/* harmony import */ var _uri_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(5100);



const GIB = 1024 ** 3;
/** CopyObject copies up to 5 GiB; larger objects are copied part by part. */
const SINGLE_COPY_LIMIT = 5 * GIB;
const COPY_PART_SIZE = 512 * 1024 ** 2;
const COPY_CONCURRENCY = 4;
/**
 * Copies an object inside S3 (no bytes through the runner), pinned to the source ETag so a
 * source that changed meanwhile fails the copy instead of staging something else.
 */
async function serverSideCopy(store, uploads, source, target, options = {}) {
    const what = options.what ?? 'the model archive';
    const copied = await copyObjectOrParts(store, uploads, source, target, options, what);
    // S3 enforces CopySourceIfMatch and Ceph RGW its own x-amz-copy-if-match (both are sent), but
    // other S3-compatible servers may enforce neither: check that the source still has the ETag
    // the run validated.
    const now = await store.head(source.location, what);
    if (now?.etag !== source.etag) {
        await store.delete(target, `the copy of ${what}`);
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ValidationError */ .yI(`${capitalised(what)} changed while it was copied (ETag ${source.etag} → ${now?.etag ?? 'deleted'}). Re-run once it is settled.`);
    }
    return copied;
}
/**
 * Whether the server copies objects server-side, asked with three small requests (open a
 * multipart upload, copy two bytes of the source into it, abort it), so that a run knows before
 * its download starts whether it must upload the archive's bytes itself.
 */
async function supportsServerSideCopy(store, uploads, source, target, warn) {
    let uploadId;
    let forget = () => { };
    try {
        uploadId = await store.createMultipartUpload(target);
        forget = uploads.opened(store, uploadId, target);
        await store.uploadPartCopy(target, uploadId, 1, { location: source.location, etag: undefined }, probeRange(source.sizeBytes));
        return true;
    }
    catch (error) {
        if (isNotImplemented(error))
            return false;
        throw store.describeError(error, 'check server-side copy into the staging', target);
    }
    finally {
        if (uploadId !== undefined) {
            // The probe's answer stands either way: a server that cannot abort (the stock embedded
            // server) leaves two bytes behind, which is a warning, not the run's outcome.
            await store.abortMultipartUpload(target, uploadId).catch((error) => {
                warn(`Could not abort the multipart upload ${uploadId} of ${(0,_uri_js__WEBPACK_IMPORTED_MODULE_1__/* .formatS3Uri */ .EO)(target)} that checked server-side copy ` +
                    `(${(0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorCodeOf */ .D9)(error)}): its 2 bytes stay until a lifecycle rule with AbortIncompleteMultipartUpload removes them.`);
            });
            forget();
        }
    }
}
/**
 * The first two bytes (one when that is all there is). Not `bytes=0-0`: a server that reads an
 * end offset of 0 as "no end" (the embedded test server does) would copy the whole archive.
 */
function probeRange(sizeBytes) {
    return { first: 0, last: Math.min(1, sizeBytes - 1) };
}
async function copyObjectOrParts(store, uploads, source, target, options, what) {
    try {
        if (source.sizeBytes <= (options.singleCopyLimit ?? SINGLE_COPY_LIMIT)) {
            try {
                return await store.copyObject(source, target);
            }
            catch (error) {
                // A server may copy part by part only (the probe found UploadPartCopy working).
                if (!isNotImplemented(error))
                    throw error;
            }
        }
        return await multipartCopy(store, uploads, source, target, options.partSize ?? COPY_PART_SIZE);
    }
    catch (error) {
        if ((0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .httpStatusOf */ .s_)(error) === 412 || (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorCodeOf */ .D9)(error) === 'PreconditionFailed') {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ValidationError */ .yI(`${capitalised(what)} changed before it was copied (its ETag is no longer ${source.etag}). Re-run once it is settled.`);
        }
        throw store.describeError(error, `copy ${what}`, target);
    }
}
function capitalised(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
}
/** 501 NotImplemented, or 405 MethodNotAllowed (how some servers say it): no server-side copy there. */
function isNotImplemented(error) {
    return [405, 501].includes((0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .httpStatusOf */ .s_)(error) ?? 0) || ['NotImplemented', 'MethodNotAllowed'].includes((0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorCodeOf */ .D9)(error));
}
async function multipartCopy(store, uploads, source, target, partSize) {
    // A CopyObject keeps the source's content type; a copy made of parts is a new upload that must be told it.
    const contentType = (await store.head(source.location, 'the copy source'))?.contentType;
    const uploadId = await store.createMultipartUpload(target, contentType === undefined ? {} : { contentType });
    const forget = uploads.opened(store, uploadId, target);
    const ranges = [];
    for (let first = 0, partNumber = 1; first < source.sizeBytes; first += partSize, partNumber += 1) {
        ranges.push({ partNumber, range: { first, last: Math.min(first + partSize, source.sizeBytes) - 1 } });
    }
    const parts = [];
    let next = 0;
    const worker = async () => {
        while (next < ranges.length) {
            const { partNumber, range } = ranges[next++];
            parts.push(await store.uploadPartCopy(target, uploadId, partNumber, source, range));
        }
    };
    await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, ranges.length) }, worker));
    parts.sort((a, b) => a.partNumber - b.partNumber);
    const completed = await store.completeMultipartUpload(target, uploadId, parts);
    forget();
    return completed;
}


/***/ })

};
