export const id = 470;
export const ids = [470];
export const modules = {

/***/ 470:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   copyPlan: () => (/* binding */ copyPlan),
/* harmony export */   promote: () => (/* binding */ promote),
/* harmony export */   promoteOperation: () => (/* binding */ promoteOperation),
/* harmony export */   targetLayout: () => (/* binding */ targetLayout),
/* harmony export */   targetMetadata: () => (/* binding */ targetMetadata)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_13__ = __webpack_require__(3916);
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6264);
/* harmony import */ var _layout_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(5005);
/* harmony import */ var _marker_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(5033);
/* harmony import */ var _metadata_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(8642);
/* harmony import */ var _s3_multipart_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(6242);
/* harmony import */ var _s3_server_side_copy_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(7249);
/* harmony import */ var _s3_uri_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(5100);
/* harmony import */ var _lease_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(1892);
/* harmony import */ var _stage_publish_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(3128);
/* harmony import */ var _stage_replace_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(9647);
/* harmony import */ var _stage_stage_js__WEBPACK_IMPORTED_MODULE_10__ = __webpack_require__(5853);
/* harmony import */ var _stored_documents_js__WEBPACK_IMPORTED_MODULE_11__ = __webpack_require__(2516);
/* harmony import */ var _verify_js__WEBPACK_IMPORTED_MODULE_12__ = __webpack_require__(1233);














const promoteOperation = {
    stateFile: (config) => ({
        name: `promote-${config.fromEnvironment}-to-${config.environment}-${config.modelName}-${config.modelVersion}`,
        fields: { environment: config.environment, from_environment: config.fromEnvironment, bucket: config.bucket, to_bucket: config.toBucket },
    }),
    run: async (config, deps) => {
        const result = await promote(config, deps);
        return { ...result, document: await (0,_stage_publish_js__WEBPACK_IMPORTED_MODULE_8__/* .documentPin */ .hZ)(result, deps.store) };
    },
    outputs: _stage_stage_js__WEBPACK_IMPORTED_MODULE_10__.stagingOutputs,
    failure: () => undefined,
    warnings: () => [],
};
/**
 * promote: a complete staging that passes `verify` is copied to another environment inside S3
 * (no object body passes through the runner), in the layout it has, with `promoted_from`
 * recording the source document and its SHA-256. The metadata is written after the copies,
 * the marker only once the promoted staging is verified. The target may be in another bucket
 * (`to-bucket`), even another account's: the copies are then cross-bucket server-side copies,
 * and the target's lease, metadata and marker live in that bucket.
 */
async function promote(config, deps) {
    const { store, state, log } = deps;
    const startedAt = deps.now();
    const verifyOptions = { maxAttempts: config.connection.maxAttempts };
    const source = await state.phase('discover', async () => {
        if (config.dryRun)
            await store.checkBucket(config.toBucket, 'the target bucket');
        const checked = await (0,_verify_js__WEBPACK_IMPORTED_MODULE_12__.verifyDeployment)({ target: { ...config, environment: config.fromEnvironment }, deep: config.deep }, store, log, verifyOptions);
        if (checked.mismatches.length > 0 || checked.metadata === undefined || checked.metadataSha256 === undefined) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_13__/* .ValidationError */ .yI(`The staging of environment "${config.fromEnvironment}" cannot be promoted. ${(0,_verify_js__WEBPACK_IMPORTED_MODULE_12__.mismatchReport)(checked)}`);
        }
        log(`Verified the staging of environment "${config.fromEnvironment}", ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_6__/* .formatS3Uri */ .EO)(checked.layout.metadata)} (${checked.checked.length} checks).`);
        return { layout: checked.layout, metadata: checked.metadata, sha256: checked.metadataSha256 };
    });
    const target = targetLayout(config, source.layout);
    const promotedFrom = {
        metadata_uri: source.metadata.deployment.metadata_uri,
        environment: config.fromEnvironment,
        metadata_sha256: source.sha256,
    };
    const existing = await state.phase('plan', () => existingPromotion(target, promotedFrom.metadata_sha256, config.force, store));
    const copies = copyPlan(source.layout, target, source.metadata);
    const finish = (status, metadata, writes, copied, verified = []) => {
        state.record({ status, promoted_from: metadata.promoted_from });
        return {
            operation: 'promote',
            status,
            layout: target,
            metadata,
            writes,
            copied,
            plannedCopies: copies,
            verified,
            durations: state.durations(),
            retries: store.retries?.count ?? 0,
        };
    };
    if (existing !== undefined) {
        log(`Already promoted: ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_6__/* .formatS3Uri */ .EO)(target.marker)} records the same source staging; nothing to write.`);
        return finish('already-staged', existing, [], []);
    }
    const run = { ...deps, startedAt };
    const planned = targetMetadata(source.metadata, target, promotedFrom, config, run, await sourceEtags(copies, store));
    if (config.dryRun) {
        for (const copy of copies)
            log(`Dry run: would copy ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_6__/* .formatS3Uri */ .EO)(copy.from)} to ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_6__/* .formatS3Uri */ .EO)(copy.to)} (server-side)`);
        const documents = (0,_stage_publish_js__WEBPACK_IMPORTED_MODULE_8__/* .stagingDocuments */ .eE)(planned, target, [], deps.now());
        return finish('planned', planned, [...documents.documents, documents.marker], []);
    }
    const lease = await state.phase('lease', () => _lease_js__WEBPACK_IMPORTED_MODULE_7__/* .StagingLease */ .kB.acquire(store, target, (0,_lease_js__WEBPACK_IMPORTED_MODULE_7__/* .leaseOwner */ .I9)(deps), (0,_lease_js__WEBPACK_IMPORTED_MODULE_7__/* .leaseOptions */ .Ph)(config, deps)));
    try {
        // Another run may have completed this promotion before this one got the lease.
        const promotedMeanwhile = await existingPromotion(target, promotedFrom.metadata_sha256, config.force, store);
        if (promotedMeanwhile !== undefined)
            return finish('already-staged', promotedMeanwhile, [], []);
        return await writePromotion({ config, deps, source, target, promotedFrom, copies, run, lease, finish });
    }
    finally {
        await lease.release();
    }
}
/** copy → metadata → verify → marker, under the target's lease. */
async function writePromotion(plan) {
    const { config, deps, source, target, promotedFrom, copies, run, lease, finish } = plan;
    const { store, state, log } = deps;
    const verifyOptions = { maxAttempts: config.connection.maxAttempts };
    const written = await state.phase('write', async () => {
        // A metadata document without a marker is a failed run's leftover, to be replaced.
        const leftover = (await store.head(target.metadata, 'the metadata document')) !== undefined;
        if ((await store.head(target.marker, 'the completion marker')) !== undefined) {
            await store.delete(target.marker, 'the previous completion marker');
            log(`Removed the previous completion marker ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_6__/* .formatS3Uri */ .EO)(target.marker)} (force).`);
        }
        const copied = await copyAll(copies, store, log);
        // The target pins its copies as the server reports them (a copy's ETag need not be the source's).
        const metadata = targetMetadata(source.metadata, target, promotedFrom, config, run, new Map(copied.map((copy) => [copy.path, copy.etag])), new Map(copied.flatMap((copy) => (copy.versionId === undefined ? [] : [[copy.path, copy.versionId]]))));
        const writes = (0,_stage_publish_js__WEBPACK_IMPORTED_MODULE_8__/* .stagingDocuments */ .eE)(metadata, target, [], deps.now());
        // The metadata now; the marker only once the copy is verified.
        const rules = { metadataOnlyIfAbsent: !config.force && !leftover, markerOnlyIfAbsent: !config.force };
        return { copied, metadata, writes, outcome: await (0,_stage_publish_js__WEBPACK_IMPORTED_MODULE_8__/* .publishDocuments */ .sq)(writes.documents, target, rules, store, log) };
    });
    const { metadata } = written;
    const verified = written.outcome.published
        ? await state.phase('verify', async () => {
            const [metadataWrite] = written.writes.documents;
            const checked = await (0,_verify_js__WEBPACK_IMPORTED_MODULE_12__.verifyDeployment)({ target: { metadata: target.metadata }, deep: false }, store, log, {
                ...verifyOptions,
                unmarkedMetadataSha256: (0,_marker_js__WEBPACK_IMPORTED_MODULE_2__/* .sha256Hex */ .fg)(metadataWrite?.body ?? ''),
            });
            if (checked.mismatches.length > 0)
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_13__/* .ValidationError */ .yI((0,_verify_js__WEBPACK_IMPORTED_MODULE_12__.mismatchReport)(checked));
            await (0,_stage_replace_js__WEBPACK_IMPORTED_MODULE_9__/* .removeUnlisted */ .F)(target, written.metadata, store, log);
            await lease.confirm();
            const marker = await (0,_stage_publish_js__WEBPACK_IMPORTED_MODULE_8__/* .publishMarker */ ._d)(written.writes.marker, target, !config.force, store, log);
            return marker && [...checked.checked, marker];
        })
        : undefined;
    if (verified === undefined) {
        const marker = await (0,_stage_publish_js__WEBPACK_IMPORTED_MODULE_8__/* .awaitConcurrentStaging */ .Vu)(target, (0,_marker_js__WEBPACK_IMPORTED_MODULE_2__/* .sourceIdentity */ .Eq)(metadata), store);
        log(`Another run promoted the same staging at the same time (run ${marker.runId}).`);
        return finish('already-staged', metadata, [], written.copied);
    }
    log(`Verified the promoted staging (${verified.length} checks); it is marked complete.`);
    return finish('staged', metadata, [...written.writes.documents, written.writes.marker], written.copied, verified);
}
/**
 * Every planned copy, server-side, pinned to the ETag the source metadata records (verify saw
 * it): an object replaced since fails the copy instead of being promoted. Each copy is HEADed,
 * as a multipart copy's completion may carry no ETag. A failure aborts the copies it opened.
 */
async function copyAll(copies, store, log) {
    const uploads = new _s3_multipart_js__WEBPACK_IMPORTED_MODULE_4__/* .MultipartUploads */ .NP();
    const copied = [];
    try {
        for (const copy of copies) {
            const info = await store.describe(copy.from, copy.what);
            const etag = copy.etag ?? info.etag;
            await (0,_s3_server_side_copy_js__WEBPACK_IMPORTED_MODULE_5__/* .serverSideCopy */ .y4)(store, uploads, { location: copy.from, etag, sizeBytes: info.size }, copy.to, { what: copy.what });
            const landed = await store.describe(copy.to, copy.what);
            if (landed.size !== info.size)
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_13__/* .ValidationError */ .yI(`${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_6__/* .formatS3Uri */ .EO)(copy.to)} has ${landed.size} bytes after the copy, the source ${info.size}.`);
            copied.push({ path: copy.path, location: copy.to, sizeBytes: landed.size, etag: landed.etag, what: copy.what, versionId: landed.versionId });
            log(`Copied ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_6__/* .formatS3Uri */ .EO)(copy.from)} to ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_6__/* .formatS3Uri */ .EO)(copy.to)} (server-side)`);
        }
        return copied;
    }
    catch (error) {
        await uploads.abortAll();
        throw error;
    }
}
/** The same layout kind as the source, in the target environment of the target bucket. */
function targetLayout(config, source) {
    return (0,_layout_js__WEBPACK_IMPORTED_MODULE_1__/* .sameLayoutAt */ .Oc)(source, (0,_layout_js__WEBPACK_IMPORTED_MODULE_1__/* .candidateLayouts */ .fN)(config.toBucket, config, (0,_layout_js__WEBPACK_IMPORTED_MODULE_1__/* .bintarballRootOrDefault */ .Uu)(config.bintarballKey)));
}
/** Full mode's staged objects (archive copy, .riva files, checksums) to copy, pinned where the metadata pins them; none otherwise. */
function copyPlan(source, target, metadata) {
    if (source.mode !== 'full')
        return [];
    const pinned = new Map((0,_metadata_js__WEBPACK_IMPORTED_MODULE_3__/* .pinnedObjects */ .bP)(metadata).map((object) => [object.path, object.etag]));
    return (0,_layout_js__WEBPACK_IMPORTED_MODULE_1__/* .stagedObjects */ .t8)(source, metadata.files).map((object) => ({
        path: object.path,
        from: object.location,
        to: copyTarget(target, object.path),
        what: object.what,
        etag: pinned.get(object.path),
    }));
}
/**
 * Where a copy lands, refused before any write when S3 would refuse its key: the target's
 * environment may be longer than the source's, and a key that fitted there can be over S3's
 * 1024 bytes here, which S3 would answer only part-way through the copies.
 */
function copyTarget(target, path) {
    const to = (0,_layout_js__WEBPACK_IMPORTED_MODULE_1__/* .stagingObject */ .lM)(target, path);
    const problem = (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_6__/* .keyProblem */ .dD)(to.key);
    if (problem !== undefined) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_13__/* .ValidationError */ .yI(`Cannot promote ${(0,_format_js__WEBPACK_IMPORTED_MODULE_0__/* .printable */ .g$)(path)}: its copy's key ${(0,_format_js__WEBPACK_IMPORTED_MODULE_0__/* .printable */ .g$)((0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_6__/* .formatS3Uri */ .EO)(to))} ${problem}. Nothing was copied. ` +
            'Promote to a shorter `environment` (ENV), or stage the model with shorter paths in its archive.');
    }
    return to;
}
/** The source ETag of each copy: pinned, or (a legacy staging's files) as the server reports it now. */
async function sourceEtags(copies, store) {
    const etags = await Promise.all(copies.map(async (copy) => [copy.path, copy.etag ?? (await store.describe(copy.from, copy.what)).etag]));
    return new Map(etags);
}
/**
 * The target's own metadata, pointing at its copies and pinning each to `etags` (by path),
 * recording where it came from. A legacy source is promoted into the current schema.
 */
function targetMetadata(source, target, promotedFrom, config, run, etags, 
/** The version of each copy (by path), in a versioned bucket. */
versions = new Map()) {
    const copyOf = (object) => ({
        path: object.path,
        uri: (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_6__/* .formatS3Uri */ .EO)((0,_layout_js__WEBPACK_IMPORTED_MODULE_1__/* .stagingObject */ .lM)(target, object.path)),
        size_bytes: object.size_bytes,
        etag: etags.get(object.path) ?? '',
        sha256: object.sha256,
        // Absent rather than undefined: the document must read back equal to what was built.
        ...(versions.has(object.path) ? { version_id: versions.get(object.path) } : {}),
    });
    return _metadata_js__WEBPACK_IMPORTED_MODULE_3__/* .MetadataSchema */ .pt.parse({
        ...source,
        schema_version: 2,
        source_copy: target.mode === 'full' ? copyOf(archiveCopyOf(source, target)) : null,
        files: source.files.map(copyOf),
        deployment: {
            environment: config.environment,
            s3_bucket: target.prefix.bucket,
            metadata_uri: (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_6__/* .formatS3Uri */ .EO)(target.metadata),
            marker_uri: (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_6__/* .formatS3Uri */ .EO)(target.marker),
        },
        promoted_from: promotedFrom,
        run: { id: run.runId, started_at: run.startedAt.toISOString(), finished_at: run.now().toISOString(), tool_version: run.toolVersion, github: run.github },
    });
}
/** The archive copy a full-mode staging holds, as its metadata records it (a legacy one only implies it). */
function archiveCopyOf(metadata, layout) {
    if (metadata.schema_version === 2 && metadata.source_copy !== null)
        return metadata.source_copy;
    if (layout.mode !== 'full' || metadata.source.sha256 === null) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_13__/* .ValidationError */ .yI(`${metadata.deployment.metadata_uri} is a full-mode staging without a recorded archive copy and SHA-256; re-stage it.`);
    }
    return { path: (0,_layout_js__WEBPACK_IMPORTED_MODULE_1__/* .relativeToPrefix */ .UN)(layout, layout.sourceCopy), size_bytes: metadata.source.size_bytes, sha256: metadata.source.sha256 };
}
/**
 * The target's metadata when it is already this promotion (same source document); a different
 * complete staging there is a conflict unless forced.
 */
async function existingPromotion(target, sourceSha256, force, store) {
    const marker = await (0,_stored_documents_js__WEBPACK_IMPORTED_MODULE_11__/* .readMarker */ .t7)(target, store);
    if (marker.state === 'absent')
        return undefined;
    const stored = await (0,_stored_documents_js__WEBPACK_IMPORTED_MODULE_11__/* .findMetadata */ .jU)(target.metadata, store);
    if (marker.state === 'ours' && stored.state === 'valid' && stored.metadata.promoted_from?.metadata_sha256 === sourceSha256)
        return stored.metadata;
    if (force)
        return undefined;
    throw new _errors_js__WEBPACK_IMPORTED_MODULE_13__/* .ConflictError */ .fK(`${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_6__/* .formatS3Uri */ .EO)(target.marker)} already marks a complete staging that is not this promotion. ` +
        'Set `force` to replace it with the promoted one.');
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
