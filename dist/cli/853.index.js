export const id = 853;
export const ids = [853];
export const modules = {

/***/ 1892:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   I9: () => (/* binding */ leaseOwner),
/* harmony export */   Ph: () => (/* binding */ leaseOptions),
/* harmony export */   kB: () => (/* binding */ StagingLease)
/* harmony export */ });
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(2857);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(3916);
/* harmony import */ var _layout_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(5005);
/* harmony import */ var _s3_object_store_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(5951);
/* harmony import */ var _s3_uri_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(5100);






/** This process as a lease holder. */
function leaseOwner(deps) {
    const { github } = deps;
    return {
        runId: deps.runId,
        workflowRun: github === null ? null : `${github.repository}/${github.run_id}`,
        attempt: github?.run_attempt ?? null,
        host: (0,node_os__WEBPACK_IMPORTED_MODULE_0__.hostname)(),
        pid: process.pid,
    };
}
/** A writing run's lease settings. */
function leaseOptions(config, deps) {
    return { ttlSeconds: config.leaseTtlSeconds, log: deps.log, warn: deps.warn };
}
const LeaseRecordSchema = zod__WEBPACK_IMPORTED_MODULE_4__/* .object */ .Ikc({
    schema_version: zod__WEBPACK_IMPORTED_MODULE_4__/* .literal */ .euz(1),
    run_id: zod__WEBPACK_IMPORTED_MODULE_4__/* .string */ .YjP(),
    workflow_run: zod__WEBPACK_IMPORTED_MODULE_4__/* .string */ .YjP().nullable(),
    run_attempt: zod__WEBPACK_IMPORTED_MODULE_4__/* .string */ .YjP().nullable(),
    host: zod__WEBPACK_IMPORTED_MODULE_4__/* .string */ .YjP(),
    pid: zod__WEBPACK_IMPORTED_MODULE_4__/* .number */ .aig(),
    acquired_at: zod__WEBPACK_IMPORTED_MODULE_4__/* .string */ .YjP(),
    refreshed_at: zod__WEBPACK_IMPORTED_MODULE_4__/* .string */ .YjP(),
    ttl_seconds: zod__WEBPACK_IMPORTED_MODULE_4__/* .number */ .aig().positive(),
});
const WHAT = 'the staging lease';
/** A held lease. `release` it in every outcome; `confirm` it before the write that completes the staging. */
class StagingLease {
    #store;
    #location;
    #owner;
    #options;
    #acquiredAt;
    #timer;
    #etag;
    #refreshedAt;
    #lost;
    #refreshing;
    constructor(store, location, owner, options, etag, acquiredAt) {
        this.#store = store;
        this.#location = location;
        this.#owner = owner;
        this.#options = options;
        this.#etag = etag;
        this.#acquiredAt = acquiredAt;
        this.#refreshedAt = this.#monotonic();
        this.#timer = setInterval(() => void this.#refresh().catch(() => undefined), (options.ttlSeconds * 1000) / 4);
        this.#timer.unref();
        store.guardWrites(() => this.#checkHeld());
    }
    /**
     * Takes the staging's lease: creates it, or takes over one that expired or that an earlier
     * attempt of this same workflow run left (a re-run continues at once). Another run's live
     * lease is a ConflictError naming that run.
     */
    static async acquire(store, layout, owner, options) {
        const location = (0,_layout_js__WEBPACK_IMPORTED_MODULE_1__/* .leaseRecord */ .qK)(layout);
        const acquiredAt = new Date((options.now ?? Date.now)()).toISOString();
        const body = serialise(owner, acquiredAt, acquiredAt, options.ttlSeconds);
        let etag;
        try {
            etag = await store.putText(location, body, 'application/json', WHAT, { onlyIfAbsent: true });
        }
        catch (error) {
            if (!(error instanceof _s3_object_store_js__WEBPACK_IMPORTED_MODULE_2__/* .ObjectExistsError */ .qs))
                throw error;
            etag = await takeOver(store, layout.prefix, location, owner, body, options);
            return new StagingLease(store, location, owner, options, etag, acquiredAt);
        }
        try {
            etag = await probeConditionalWrites(store, location, body, etag, options.warn ?? ((message) => options.log(`Warning: ${message}`)));
        }
        catch (error) {
            // The record is this run's and no lease object holds it yet: it must not block others for a TTL.
            await deleteIfOurs(store.cleanupView('lease'), location, etag).catch(() => undefined);
            throw error;
        }
        return new StagingLease(store, location, owner, options, etag, acquiredAt);
    }
    /** Refreshes the lease now and throws if it is no longer this run's: called right before the marker. */
    async confirm() {
        await this.#refresh();
        this.#checkHeld();
    }
    /** Lets go: stops refreshing, lifts the write guard, and deletes the record if it is still this run's. */
    async release() {
        clearInterval(this.#timer);
        await this.#refreshing?.catch(() => undefined);
        this.#store.guardWrites(undefined);
        if (this.#lost !== undefined)
            return;
        try {
            // The last share of the run's cleanup deadline: a cancelled run's signal has fired, and it must still let go.
            await deleteIfOurs(this.#store.cleanupView('lease'), this.#location, this.#etag);
        }
        catch (error) {
            this.#options.log(`Could not release ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_3__/* .formatS3Uri */ .EO)(this.#location)} (${error.message}); it expires ${this.#options.ttlSeconds} s after its last refresh.`);
        }
    }
    #refresh() {
        this.#refreshing ??= this.#rewrite().finally(() => (this.#refreshing = undefined));
        return this.#refreshing;
    }
    async #rewrite() {
        if (this.#lost !== undefined)
            return;
        const now = new Date((this.#options.now ?? Date.now)()).toISOString();
        const body = serialise(this.#owner, this.#acquiredAt, now, this.#options.ttlSeconds);
        try {
            this.#checkHeld();
            this.#etag = await this.#store.putText(this.#location, body, 'application/json', WHAT, { ifMatch: this.#etag });
            this.#refreshedAt = this.#monotonic();
        }
        catch (error) {
            if (error instanceof _s3_object_store_js__WEBPACK_IMPORTED_MODULE_2__/* .ObjectExistsError */ .qs)
                this.#lose('another run took it over');
            // Anything else is retried at the next tick; #checkHeld gives up once half the TTL has passed.
        }
    }
    /** The write guard: throws once the lease is lost, or has gone unrefreshed for half its TTL. */
    #checkHeld() {
        if (this.#lost === undefined && this.#monotonic() - this.#refreshedAt > (this.#options.ttlSeconds * 1000) / 2) {
            this.#lose(`it could not be refreshed for half its TTL of ${this.#options.ttlSeconds} s`);
        }
        if (this.#lost !== undefined)
            throw this.#lost;
    }
    #lose(why) {
        this.#lost ??= new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .ConflictError */ .fK(`This run lost its lease on ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_3__/* .formatS3Uri */ .EO)(this.#location)} (${why}), so it stopped writing: another run may be staging the same version. ` +
            'Nothing more was written and no completion marker; re-run to find out what is staged.');
        clearInterval(this.#timer);
    }
    #monotonic() {
        return (this.#options.monotonic ?? performance.now.bind(performance))();
    }
}
/**
 * Deletes the lease record if it still has the ETag this run gave it. The DELETE carries
 * `If-Match`, which AWS honours: a run that took the lease over between the HEAD and the DELETE
 * keeps its record. Ceph RGW 16 and the embedded test server ignore the condition on a DELETE;
 * there the HEAD narrows the window to one round trip, open only when another run takes the
 * lease over (expired, or a later attempt's) at the very moment its holder releases it. The run
 * whose record went finds out at its next refresh, at the latest in `confirm` before its marker
 * (a rewrite `If-Match` its ETag, which RGW honours on PutObject, answered 404), and stops: it
 * never marks a staging it no longer holds. (The embedded server honours no condition at all;
 * a run there is warned that concurrent runs are not excluded.)
 */
async function deleteIfOurs(store, location, etag) {
    const info = await store.head(location, WHAT);
    if (info?.etag !== etag)
        return;
    try {
        await store.delete(location, WHAT, { ifMatch: etag });
    }
    catch (error) {
        // Taken over meanwhile: the record is another run's now, and stays.
        if (!(error instanceof _s3_object_store_js__WEBPACK_IMPORTED_MODULE_2__/* .ObjectExistsError */ .qs))
            throw error;
    }
}
/**
 * Writes the new lease once more with `If-None-Match: *`: a server that enforces the condition
 * refuses, one that ignores it (the embedded test server) writes, and then concurrent runs are
 * not excluded there. Returns the lease's ETag.
 */
async function probeConditionalWrites(store, location, body, etag, warn) {
    try {
        const rewritten = await store.putText(location, body, 'application/json', WHAT, { onlyIfAbsent: true });
        warn('This S3 server ignores If-None-Match on writes, so the staging lease cannot exclude another run staging the ' +
            'same version at the same time. Run one staging per version at a time here.');
        return rewritten;
    }
    catch (error) {
        if (error instanceof _s3_object_store_js__WEBPACK_IMPORTED_MODULE_2__/* .ObjectExistsError */ .qs)
            return etag;
        throw error;
    }
}
/** The existing lease taken over, when it may be; else the ConflictError that names its holder. */
async function takeOver(store, prefix, location, owner, body, options) {
    const info = await store.head(location, WHAT);
    // Released in between: take it as new (If-None-Match keeps this a race with one winner).
    if (info === undefined)
        return store.putText(location, body, 'application/json', WHAT, { onlyIfAbsent: true }).catch(lostRace(location));
    const held = parseRecord(await store.getText(location, WHAT).catch(() => ''));
    // Only a later attempt of the same workflow run: two jobs of one attempt (a matrix mistake) exclude each other.
    const laterAttempt = owner.workflowRun !== null && held?.workflow_run === owner.workflowRun && Number(owner.attempt) > Number(held.run_attempt);
    const expiresAt = expiry(info, held?.ttl_seconds ?? options.ttlSeconds);
    const serverNow = Date.parse(info.serverDate ?? new Date((options.now ?? Date.now)()).toISOString());
    if (!laterAttempt && serverNow < expiresAt) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .ConflictError */ .fK(`Another run is staging ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_3__/* .formatS3Uri */ .EO)(prefix)} now: ${describeHolder(held)} holds ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_3__/* .formatS3Uri */ .EO)(location)} ` +
            `until ${new Date(expiresAt).toISOString()} (by the server's clock) unless it refreshes it. Re-run once that run has finished; ` +
            'if it is gone, its lease expires by then.');
    }
    const etag = await store.putText(location, body, 'application/json', WHAT, { ifMatch: info.etag }).catch(lostRace(location));
    options.log(`Took over ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_3__/* .formatS3Uri */ .EO)(location)} from ${describeHolder(held)}: ${laterAttempt ? 'an earlier attempt of this workflow run' : 'its lease had expired'}.`);
    return etag;
}
function lostRace(location) {
    return (error) => {
        if (error instanceof _s3_object_store_js__WEBPACK_IMPORTED_MODULE_2__/* .ObjectExistsError */ .qs) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .ConflictError */ .fK(`Another run took ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_3__/* .formatS3Uri */ .EO)(location)} at the same moment; it is staging this version now. Re-run once it has finished.`);
        }
        throw error;
    };
}
function expiry(info, ttlSeconds) {
    const lastModified = info.lastModified === null ? Number.NaN : Date.parse(info.lastModified);
    // A record without a date cannot be shown expired: treat it as just written.
    return (Number.isNaN(lastModified) ? Date.now() : lastModified) + ttlSeconds * 1000;
}
function describeHolder(held) {
    if (held === undefined)
        return 'a run whose lease record this version cannot read';
    const workflow = held.workflow_run === null ? '' : `, workflow run ${held.workflow_run} attempt ${held.run_attempt ?? '?'}`;
    return `run ${held.run_id} (host ${held.host}, pid ${held.pid}${workflow})`;
}
function parseRecord(text) {
    try {
        const parsed = LeaseRecordSchema.safeParse(JSON.parse(text));
        return parsed.success ? parsed.data : undefined;
    }
    catch {
        return undefined;
    }
}
function serialise(owner, acquiredAt, refreshedAt, ttlSeconds) {
    const record = {
        schema_version: 1,
        run_id: owner.runId,
        workflow_run: owner.workflowRun,
        run_attempt: owner.attempt,
        host: owner.host,
        pid: owner.pid,
        acquired_at: acquiredAt,
        refreshed_at: refreshedAt,
        ttl_seconds: ttlSeconds,
    };
    return `${JSON.stringify(record, null, 2)}\n`;
}


/***/ }),

/***/ 3128:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Vu: () => (/* binding */ awaitConcurrentStaging),
/* harmony export */   _d: () => (/* binding */ publishMarker),
/* harmony export */   eE: () => (/* binding */ stagingDocuments),
/* harmony export */   hZ: () => (/* binding */ documentPin),
/* harmony export */   sq: () => (/* binding */ publishDocuments)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(3916);
/* harmony import */ var _marker_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5033);
/* harmony import */ var _metadata_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3630);
/* harmony import */ var _s3_backoff_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7454);
/* harmony import */ var _s3_object_store_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(5951);
/* harmony import */ var _s3_uri_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(5100);
/* harmony import */ var _stored_documents_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(2516);







/**
 * The one writer of a staging's documents: the mode's own and the metadata, written first, and
 * the marker (recording the metadata's SHA-256), written last.
 */
function stagingDocuments(metadata, layout, modeDocuments, completedAt) {
    const metadataText = (0,_metadata_js__WEBPACK_IMPORTED_MODULE_1__/* .serialiseMetadata */ .tO)(metadata);
    return {
        documents: [
            ...modeDocuments,
            { location: layout.metadata, body: metadataText, contentType: 'application/json', what: 'the metadata document' },
        ],
        marker: {
            location: layout.marker,
            body: (0,_marker_js__WEBPACK_IMPORTED_MODULE_0__/* .serialiseMarker */ .qN)((0,_marker_js__WEBPACK_IMPORTED_MODULE_0__/* .markerRecord */ .OJ)(metadata, metadataText, completedAt)),
            contentType: 'text/plain; charset=utf-8',
            what: 'the completion marker',
        },
    };
}
/**
 * Writes a staging's documents in order, the marker last. The metadata and marker are written
 * conditionally (`If-None-Match: *`) unless the rules say otherwise, so that of two runs staging
 * the same target at once exactly one publishes. On a server that ignores the condition both
 * writes succeed and the later one wins; verification then notices a metadata document that is
 * not the one this run wrote.
 */
async function publishDocuments(writes, layout, rules, store, log) {
    const etags = [];
    const written = [];
    for (const write of writes) {
        const onlyIfAbsent = (write.location === layout.metadata && rules.metadataOnlyIfAbsent) ||
            (write.location === layout.marker && rules.markerOnlyIfAbsent);
        try {
            etags.push(await store.putText(write.location, write.body, write.contentType, write.what, { onlyIfAbsent }));
        }
        catch (error) {
            if (error instanceof _s3_object_store_js__WEBPACK_IMPORTED_MODULE_3__/* .ObjectExistsError */ .qs) {
                log(`${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_4__/* .formatS3Uri */ .EO)(write.location)} appeared while this run was staging: another run is staging the same target.`);
                return { published: false };
            }
            // The documents written before this one describe a staging that will not be published.
            for (const earlier of written)
                await store.delete(earlier.location, earlier.what).catch(() => log(`Could not remove ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_4__/* .formatS3Uri */ .EO)(earlier.location)}.`));
            throw error;
        }
        written.push(write);
        log(`Wrote ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_4__/* .formatS3Uri */ .EO)(write.location)}`);
    }
    return { published: true, etags };
}
/**
 * Writes the marker, the last document, once everything else is verified, and checks it landed.
 * Undefined when another run wrote it first (a lost race, as in publishDocuments).
 */
async function publishMarker(write, layout, onlyIfAbsent, store, log) {
    const marked = await publishDocuments([write], layout, { metadataOnlyIfAbsent: false, markerOnlyIfAbsent: onlyIfAbsent }, store, log);
    if (!marked.published)
        return undefined;
    const marker = await store.describe(layout.marker, 'the completion marker');
    return { what: 'the completion marker', uri: (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_4__/* .formatS3Uri */ .EO)(layout.marker), found: `${marker.size} bytes, ETag ${marker.etag}` };
}
const CONCURRENT_RUN_WAIT_MS = 60_000;
/**
 * After losing a race to another run: wait for that run's marker (it writes it right after the
 * metadata), then accept its staging if it is of the same source.
 */
async function awaitConcurrentStaging(layout, planned, store, now = Date.now) {
    const deadline = now() + CONCURRENT_RUN_WAIT_MS;
    for (let attempt = 1;; attempt += 1) {
        const marker = await (0,_stored_documents_js__WEBPACK_IMPORTED_MODULE_5__/* .readMarker */ .t7)(layout, store);
        if (marker.state === 'foreign')
            break;
        if (marker.state === 'ours') {
            const differences = (0,_marker_js__WEBPACK_IMPORTED_MODULE_0__/* .sourceDifferences */ .kn)(marker.record, planned);
            if (differences.length > 0) {
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_6__/* .ConflictError */ .fK(`Another run staged ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_4__/* .formatS3Uri */ .EO)(layout.prefix)} from a different source at the same time ` +
                    `(${differences.join('; ')}). Check which archive is meant for this version, then re-run with \`force\`.`);
            }
            return marker.record;
        }
        if (now() >= deadline)
            break;
        await (0,_s3_backoff_js__WEBPACK_IMPORTED_MODULE_2__/* .sleep */ .yy)(Math.min(250 * 2 ** attempt, 5000), store.signal);
    }
    throw new _errors_js__WEBPACK_IMPORTED_MODULE_6__/* .ConflictError */ .fK(`Another run is staging ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_4__/* .formatS3Uri */ .EO)(layout.prefix)} at the same time and has not completed it. ` +
        'Re-run once it has finished (it will then report already-staged), or set `force` to replace it.');
}
/**
 * The pin of the document a run leaves published (staged, or already staged): the SHA-256 its
 * completion marker records (of the bytes as written) and the version HEAD reports. A dry run's
 * is the SHA-256 of the document it would write, with no version.
 */
async function documentPin(result, store) {
    if (result.status === 'planned') {
        // A dry run plans a document of the current schema: the one it would write.
        return { sha256: (0,_marker_js__WEBPACK_IMPORTED_MODULE_0__/* .sha256Hex */ .fg)((0,_metadata_js__WEBPACK_IMPORTED_MODULE_1__/* .serialiseMetadata */ .tO)(result.metadata)), versionId: undefined };
    }
    const [marker, info] = await Promise.all([(0,_stored_documents_js__WEBPACK_IMPORTED_MODULE_5__/* .readMarker */ .t7)(result.layout, store), store.head(result.layout.metadata, 'the metadata document')]);
    if (marker.state !== 'ours' || info === undefined) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_6__/* .ConflictError */ .fK(`${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_4__/* .formatS3Uri */ .EO)(result.layout.metadata)} was withdrawn right after this run completed it; re-run to check the staging.`);
    }
    return { sha256: marker.record.metadataSha256, versionId: info.versionId };
}


/***/ }),

/***/ 9647:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   F: () => (/* binding */ removeUnlisted)
/* harmony export */ });
/* harmony import */ var _layout_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5005);
/* harmony import */ var _metadata_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3630);
/* harmony import */ var _s3_uri_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(5100);



/**
 * A staging replaces, it does not add: what an earlier staging at this place left in the
 * folders the tool writes into (a `.riva` the new archive dropped, another source's objects
 * from an interrupted run, the checksums of a full staging now re-staged by reference) is
 * removed before the marker vouches for the new metadata. Objects the metadata lists or
 * refers to, and the staging's own documents, stay.
 */
async function removeUnlisted(layout, metadata, store, log) {
    const keep = new Set([
        ...(0,_metadata_js__WEBPACK_IMPORTED_MODULE_1__/* .pinnedObjects */ .bP)(metadata).map((object) => object.uri),
        metadata.source.uri,
        ...metadata.containers.map((container) => container.uri),
        (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_2__/* .formatS3Uri */ .EO)(layout.metadata),
        (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_2__/* .formatS3Uri */ .EO)(layout.marker),
        ...(layout.mode === 'full' ? [(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_2__/* .formatS3Uri */ .EO)(layout.checksums)] : []),
    ]);
    const { folders, files } = (0,_layout_js__WEBPACK_IMPORTED_MODULE_0__/* .replaceableContent */ .AL)(layout);
    const listed = await Promise.all(folders.map((folder) => store.list(folder, `the staging's ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_2__/* .formatS3Uri */ .EO)(folder)}`)));
    const present = await Promise.all(files.map(async (file) => ((await store.head(file, (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_2__/* .formatS3Uri */ .EO)(file))) === undefined ? [] : [file])));
    const candidates = [
        ...listed.flatMap(({ objects }) => objects.map((object) => ({ bucket: layout.prefix.bucket, key: object.key }))),
        ...present.flat(),
    ];
    const unlisted = candidates.filter((location) => !keep.has((0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_2__/* .formatS3Uri */ .EO)(location)));
    for (const location of unlisted) {
        await store.delete(location, `${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_2__/* .formatS3Uri */ .EO)(location)}, which the new metadata does not list`);
        log(`Removed ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_2__/* .formatS3Uri */ .EO)(location)}: an earlier staging left it and the new metadata does not list it.`);
    }
    return unlisted.map(_s3_uri_js__WEBPACK_IMPORTED_MODULE_2__/* .formatS3Uri */ .EO);
}


/***/ }),

/***/ 5853:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  stage: () => (/* binding */ stage),
  stageOperation: () => (/* binding */ stageOperation),
  stagingOutputs: () => (/* binding */ stagingOutputs)
});

// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(7975);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/format.ts
var format = __webpack_require__(6264);
// EXTERNAL MODULE: ./src/layout.ts
var src_layout = __webpack_require__(5005);
// EXTERNAL MODULE: ./src/marker.ts
var src_marker = __webpack_require__(5033);
// EXTERNAL MODULE: ./src/metadata.ts
var src_metadata = __webpack_require__(3630);
// EXTERNAL MODULE: ./src/s3/uri.ts
var s3_uri = __webpack_require__(5100);
// EXTERNAL MODULE: ./src/timeline.ts
var timeline = __webpack_require__(1472);
// EXTERNAL MODULE: ./src/operations/lease.ts
var operations_lease = __webpack_require__(1892);
// EXTERNAL MODULE: ./src/operations/stored-documents.ts
var stored_documents = __webpack_require__(2516);
// EXTERNAL MODULE: ./src/operations/verify.ts
var verify = __webpack_require__(1233);
// EXTERNAL MODULE: ./node_modules/zod/v4/classic/schemas.js + 11 modules
var schemas = __webpack_require__(2857);
;// CONCATENATED MODULE: ./src/operations/stage/continuation.ts




const RecordSchema = schemas/* object */.Ikc({
    schema_version: schemas/* literal */.euz(2),
    run_id: schemas/* string */.YjP(),
    updated_at: schemas/* string */.YjP(),
    source: schemas/* object */.Ikc({
        mode: schemas/* string */.YjP(),
        sourceUri: schemas/* string */.YjP(),
        sourceEtag: schemas/* string */.YjP(),
        sourceSizeBytes: schemas/* number */.aig(),
        containers: schemas/* string */.YjP(),
    }),
    staged: schemas/* array */.YOg(schemas/* object */.Ikc({ path: schemas/* string */.YjP(), size_bytes: schemas/* number */.aig(), sha256: schemas/* string */.YjP().nullable(), etag: schemas/* string */.YjP() })),
});
/**
 * The in-progress record next to a staging (`staging_in_progress.json`): what a full-mode run has
 * staged so far, so a re-run of the same source on any runner skips what already landed. It is
 * rewritten after each object and removed once the marker is written.
 */
class StagingProgress {
    #store;
    #location;
    #source;
    #runId;
    #staged = new Map();
    #onChange;
    #writes = Promise.resolve();
    #closed = false;
    /** Paths a record in S3 lists: what a re-run will reuse. */
    #persisted = new Set();
    constructor(store, layout, source, runId, reused, onChange = () => { }) {
        this.#store = store;
        this.#onChange = onChange;
        this.#location = (0,src_layout/* progressRecord */.MO)(layout);
        this.#source = source;
        this.#runId = runId;
        for (const entry of reused) {
            this.#staged.set(entry.path, entry);
            this.#persisted.add(entry.path);
        }
    }
    /** Whether the record in S3 lists `path`, so that a re-run would reuse it. */
    persists(path) {
        return this.#persisted.has(path);
    }
    /** Records one more staged object; writes are queued so the record is never older than a completed one. */
    add(entry) {
        // Removed already (the staging completed or was rejected): a late write must not bring it back.
        if (this.#closed)
            return Promise.resolve();
        this.#staged.set(entry.path, entry);
        this.#onChange([...this.#staged.values()]);
        const body = this.#serialise();
        const listed = [...this.#staged.keys()];
        this.#writes = this.#writes.then(async () => {
            await this.#store.putText(this.#location, body, 'application/json', 'the in-progress record');
            for (const path of listed)
                this.#persisted.add(path);
        });
        return this.#writes;
    }
    /** The staging is complete, or its archive rejected: the record has served its purpose. */
    async remove(store = this.#store) {
        this.#closed = true;
        await this.#writes.catch(() => undefined);
        await store.delete(this.#location, 'the in-progress record');
    }
    #serialise() {
        return `${JSON.stringify({
            schema_version: 2,
            run_id: this.#runId,
            updated_at: new Date().toISOString(),
            source: this.#source,
            staged: [...this.#staged.values()].map((entry) => ({
                path: entry.path,
                size_bytes: entry.sizeBytes,
                sha256: entry.sha256,
                etag: entry.etag,
            })),
        }, null, 2)}\n`;
    }
}
/**
 * What an earlier run of the same source staged and is still there unchanged (HeadObject size
 * and ETag as recorded): those objects need not be staged again. Anything else, nothing.
 */
async function reusableEntries(store, layout, source, log) {
    const location = (0,src_layout/* progressRecord */.MO)(layout);
    if ((await store.head(location, 'the in-progress record')) === undefined)
        return [];
    const parsed = RecordSchema.safeParse(safeJson(await store.getText(location, 'the in-progress record')));
    if (!parsed.success) {
        log(`Ignoring ${(0,s3_uri/* formatS3Uri */.EO)(location)}: it is not an in-progress record this tool can read.`);
        return [];
    }
    if ((0,src_marker/* sourceDifferences */.kn)(parsed.data.source, source).length > 0) {
        log(`Ignoring ${(0,s3_uri/* formatS3Uri */.EO)(location)}: it records another source; staging from the start.`);
        return [];
    }
    const checked = await Promise.all(parsed.data.staged.map(async (entry) => {
        const info = await store.head((0,src_layout/* stagingObject */.lM)(layout, entry.path), entry.path);
        const unchanged = info !== undefined && info.size === entry.size_bytes && (entry.etag === '' || info.etag === entry.etag);
        return unchanged ? [{ path: entry.path, sizeBytes: entry.size_bytes, sha256: entry.sha256, etag: info.etag }] : [];
    }));
    const reusable = checked.flat();
    if (reusable.length > 0)
        log(`Continuing run ${parsed.data.run_id}: ${reusable.length} object(s) already staged and unchanged.`);
    return reusable;
}
function safeJson(text) {
    try {
        return JSON.parse(text);
    }
    catch {
        return undefined;
    }
}

// EXTERNAL MODULE: ./src/archive/archive-head.ts
var archive_head = __webpack_require__(2243);
;// CONCATENATED MODULE: ./src/operations/stage/archive-head-check.ts



/**
 * The reference modes never read the whole archive, but they do not point at something that is
 * not one: a ranged read of its head must show a gzip stream whose first tar header parses.
 */
async function checkArchiveHead(source, store) {
    const head = await (0,archive_head/* readArchiveHead */.HC)(store, source.location, source.info.etag, source.info.size);
    const problem = (0,archive_head/* archiveHeadProblem */.s2)(head, source.info.size);
    if (problem !== undefined) {
        throw new errors/* ValidationError */.yI(`${(0,s3_uri/* formatS3Uri */.EO)(source.location)} (\`model-s3-uri\` / RIVA_ASR_MODEL_S3_URI) ${problem}: it is not a Riva model archive ` +
            '(a gzip-compressed tar). Nothing was written.');
    }
}

;// CONCATENATED MODULE: ./src/operations/stage/pin.ts



/**
 * What the metadata records of each staged object is what the server reports after the write:
 * every object the mode staged is HEADed, must have the size it was written with and the ETag
 * the write returned, and takes the server's ETag where the write returned none (Ceph RGW's
 * CompleteMultipartUpload answers with an empty one).
 */
async function pinStagedContent(content, store) {
    const { infos, verified } = await checkWrittenObjects(content.objects, store);
    const etagOf = (location, written) => infos.get((0,s3_uri/* formatS3Uri */.EO)(location))?.etag ?? written;
    // In a versioned bucket the version is the firmer pin: fetch reads it even after the key is overwritten.
    const versionOf = (location) => infos.get((0,s3_uri/* formatS3Uri */.EO)(location))?.versionId;
    const pinFile = (file) => ({ ...file, etag: etagOf(file.location, file.etag), versionId: versionOf(file.location) });
    return {
        content: {
            ...content,
            sourceCopy: content.sourceCopy && pinFile(content.sourceCopy),
            files: content.files.map(pinFile),
            objects: content.objects.map((object) => ({ ...object, etag: etagOf(object.location, object.etag) })),
        },
        verified,
    };
}
/** Every object as written: present, with the size written and the ETag the write returned (when it returned one). */
async function checkWrittenObjects(objects, store) {
    const infos = new Map();
    const verified = await Promise.all(objects.map(async (object) => {
        const info = await writtenObject(object, store);
        infos.set((0,s3_uri/* formatS3Uri */.EO)(object.location), info);
        return { what: object.what, uri: (0,s3_uri/* formatS3Uri */.EO)(object.location), found: `${info.size} bytes, ETag ${info.etag}` };
    }));
    return { infos, verified };
}
async function writtenObject(object, store) {
    const uri = (0,s3_uri/* formatS3Uri */.EO)(object.location);
    const info = await store.head(object.location, object.what);
    if (info === undefined)
        throw new errors/* ValidationError */.yI(`Verification failed: ${uri} is missing after it was written.`);
    if (info.size !== object.sizeBytes) {
        throw new errors/* ValidationError */.yI(`Verification failed: ${uri} has ${info.size} bytes, ${object.sizeBytes} were written.`);
    }
    if (object.etag !== '' && info.etag !== object.etag) {
        throw new errors/* ValidationError */.yI(`Verification failed: ${uri} has ETag ${info.etag}, the write returned ${object.etag}.`);
    }
    return info;
}
/** Every object the metadata pins, HEADed: the ones missing or with another size or ETag. */
async function pinnedObjectDifferences(metadata, store) {
    const differences = await Promise.all((0,src_metadata/* pinnedObjects */.bP)(metadata).map(async (object) => {
        const info = await store.head((0,s3_uri/* parseS3Uri */.yc)(object.uri), object.path);
        if (info === undefined)
            return [{ uri: object.uri, problem: 'is missing' }];
        if (info.size !== object.size_bytes || info.etag !== object.etag) {
            return [{ uri: object.uri, problem: `has ${info.size} bytes, ETag ${info.etag}; the metadata records ${object.size_bytes} bytes, ETag ${object.etag}` }];
        }
        return [];
    }));
    return differences.flat();
}

;// CONCATENATED MODULE: ./src/operations/stage/plan.ts


/**
 * The already-staged decision. A complete staging is the one this run would make only when
 * mode and source match, its metadata is the document the marker records, `expected-sha256`
 * (when given) is the SHA-256 it records, and every object it pins is still there unchanged.
 * Anything else is refused, naming each difference: a staged version must not silently change
 * under the steps that trust it, nor be answered "already staged" when it is not. `force`
 * re-stages either way.
 */
function completeStagingOfSameSource(existing, planned, options) {
    if (existing === undefined || options.force)
        return undefined;
    const sourceChanges = (0,src_marker/* sourceDifferences */.kn)(existing.marker, (0,src_marker/* sourceIdentity */.Eq)(planned));
    if (sourceChanges.length > 0) {
        throw new errors/* ConflictError */.fK(`${planned.deployment.marker_uri} already marks a complete staging of a different source ` +
            `(${sourceChanges.join('; ')}). Stage it under a new \`model-version\` (MODEL_VERSION), or set \`force\` to replace it.`);
    }
    const problems = stagingProblems(existing, options.expectedSha256);
    if (problems.length === 0)
        return existing.marker;
    throw new errors/* ConflictError */.fK([
        `${planned.deployment.marker_uri} marks a complete staging of this source, but it is not what this run would stage:`,
        ...problems.map((problem) => `- ${problem}`),
        'Set `force` to re-stage it.',
    ].join('\n'));
}
function stagingProblems(existing, expectedSha256) {
    if (existing.metadata === undefined)
        return [`its metadata document ${existing.metadataProblem ?? 'cannot be read'}`];
    const recorded = existing.metadata.source.sha256;
    const hashProblem = expectedSha256 !== undefined && recorded !== null && recorded !== expectedSha256
        ? [`it records the archive's SHA-256 as ${recorded}, not the expected ${expectedSha256} (\`expected-sha256\` / RIVA_ASR_MODEL_SHA256)`]
        : [];
    return [...hashProblem, ...existing.objectDifferences.map((difference) => `${difference.uri} ${difference.problem}`)];
}

// EXTERNAL MODULE: ./src/operations/stage/publish.ts
var publish = __webpack_require__(3128);
// EXTERNAL MODULE: ./src/s3/object-hash.ts
var object_hash = __webpack_require__(80);
// EXTERNAL MODULE: ./src/transfer-progress.ts
var transfer_progress = __webpack_require__(3854);
;// CONCATENATED MODULE: ./src/operations/stage/content.ts
const NO_TRANSFER = { bytesDownloaded: 0, bytesUploaded: 0, bytesCopiedServerSide: 0 };

;// CONCATENATED MODULE: ./src/operations/stage/reference.ts





/**
 * The archive's SHA-256 as far as the reference modes know it, with `expected-sha256` enforced:
 * S3's full-object SHA-256 when it keeps one, else the one a complete staging of this source
 * recorded, else (only when `expected-sha256` asks for a check) the archive streamed and hashed
 * now. A mismatch fails before anything is written.
 */
async function referencedArchiveSha256(source, context) {
    const known = source.info.sha256 ?? context.recordedSha256;
    const { expectedSha256 } = context;
    if (expectedSha256 === undefined)
        return known;
    const sha256 = known ?? (await streamHash(source, context));
    if (sha256 !== expectedSha256) {
        throw new errors/* ValidationError */.yI(`${(0,s3_uri/* formatS3Uri */.EO)(source.location)} hashes to ${sha256}, not the expected ${expectedSha256} ` +
            '(`expected-sha256` / RIVA_ASR_MODEL_SHA256). It is not the archive that was validated; nothing was written.');
    }
    return sha256;
}
async function streamHash(source, context) {
    context.log(`Hashing ${(0,s3_uri/* formatS3Uri */.EO)(source.location)} to check \`expected-sha256\` (S3 keeps no full-object SHA-256 for it).`);
    const progress = transfer_progress/* TransferProgress */.v5.on(context.progress, 'Hashing the model archive', source.info.size);
    const sha256 = await (0,object_hash/* hashObject */.wM)(context.store, source.location, {
        etag: source.info.etag,
        sizeBytes: source.info.size,
        maxAttempts: context.maxAttempts,
        what: 'the model archive',
        onBytes: (bytes) => progress.add(bytes),
        log: context.log,
    });
    progress.showNow();
    return sha256;
}
/**
 * bintarball-reference and reference-only: the archives stay where they are and the staging
 * only points at them.
 */
function referenceContent(source, containers, sourceSha256) {
    const referencedBytes = [source, ...containers].reduce((sum, object) => sum + object.info.size, 0);
    return {
        sourceSha256,
        files: [],
        objects: [],
        documents: [],
        transfer: NO_TRANSFER,
        bytesDuplicationAvoided: referencedBytes,
        reused: [],
        skippedEntries: [],
        warnings: [],
    };
}

// EXTERNAL MODULE: ./src/operations/stage/replace.ts
var replace = __webpack_require__(9647);
;// CONCATENATED MODULE: ./src/operations/stage/stage.ts


















const stageOperation = {
    stateFile: (config) => ({
        name: `${config.mode}-${config.environment}-${config.artifactId}`,
        fields: { artifact_id: config.artifactId, environment: config.environment, source_uri: (0,s3_uri/* formatS3Uri */.EO)(config.model) },
    }),
    run: async (config, deps) => {
        const result = await stage(config, deps);
        return { ...result, document: await (0,publish/* documentPin */.hZ)(result, deps.store) };
    },
    outputs: stagingOutputs,
    failure: () => undefined,
    warnings: (result) => result.warnings,
};
/** The values step 131 and scripts read, as the action's outputs name them (stage and promote alike). */
function stagingOutputs(result) {
    const { metadata } = result;
    return {
        'deployment-json-uri': metadata.deployment.metadata_uri,
        'marker-uri': metadata.deployment.marker_uri,
        'artifact-id': metadata.artifact_id,
        mode: metadata.mode,
        status: result.status,
        'source-uri': metadata.source.uri,
        'source-size-bytes': String(metadata.source.size_bytes),
        'source-sha256': metadata.source.sha256 ?? '',
        'deployment-json-sha256': result.document.sha256,
        'deployment-json-version-id': result.document.versionId ?? '',
    };
}
/**
 * discover → plan → (already staged, or a dry run, stops here) → lease → write → verify →
 * marker. The one path every mode takes. Writing happens under the staging's lease, and the
 * plan is made again if another run changed the staging before the lease was taken.
 */
async function stage(config, deps) {
    const run = { config, deps, layout: (0,src_layout/* stagingLayout */.gV)(config), startedAt: deps.now(), timeline: new timeline/* Timeline */.Kf() };
    deps.state.record({ metadata_uri: (0,s3_uri/* formatS3Uri */.EO)(run.layout.metadata), marker_uri: (0,s3_uri/* formatS3Uri */.EO)(run.layout.marker) });
    const plan = await planStaging(run);
    const settled = settledWithoutWriting(run, plan);
    if (settled !== undefined)
        return settled;
    const lease = await deps.state.phase('lease', () => operations_lease/* StagingLease */.kB.acquire(deps.store, run.layout, (0,operations_lease/* leaseOwner */.I9)(deps), (0,operations_lease/* leaseOptions */.Ph)(config, deps)));
    try {
        // Another run may have completed (or withdrawn) the staging before this one got the lease.
        const marker = await (0,stored_documents/* readMarker */.t7)(run.layout, deps.store);
        const current = sameMarker(marker, plan.discovery.existing) ? plan : await planStaging(run);
        return settledWithoutWriting(run, current) ?? (await writeStaging(run, current, lease));
    }
    finally {
        await lease.release();
    }
}
async function planStaging(run) {
    const { config, deps, layout } = run;
    const discovery = await deps.state.phase('discover', () => discover(config, layout, deps));
    return deps.state.phase('plan', async () => {
        // The reference modes know their whole content now; full mode learns it by reading the archive.
        const content = config.mode === 'full' ? undefined : await planReferenceContent(config, discovery, deps);
        const metadata = metadataOf(run, discovery, content);
        const sameStaging = completeStagingOfSameSource(discovery.existing, metadata, { force: config.force, expectedSha256: config.expectedSha256 });
        return { discovery, content, metadata, sameStaging };
    });
}
/** The result when nothing is to be written: the staging is already there, or this is a dry run. */
function settledWithoutWriting(run, plan) {
    const { config, deps, layout } = run;
    const finish = finisher(run);
    const { existing } = plan.discovery;
    if (plan.sameStaging !== undefined && existing !== undefined) {
        deps.log(`Already staged: ${(0,s3_uri/* formatS3Uri */.EO)(layout.marker)} records the same source; every object it pins is unchanged (set \`force\` to re-stage).`);
        return alreadyStaged(existing, layout, plan.content, finish);
    }
    if (!config.dryRun)
        return undefined;
    const documents = [...(layout.mode === 'full' ? [layout.checksums] : []), layout.metadata, layout.marker];
    if (layout.mode === 'full') {
        deps.log(`Dry run: would copy ${(0,s3_uri/* formatS3Uri */.EO)(plan.discovery.source.location)} to ${(0,s3_uri/* formatS3Uri */.EO)(layout.sourceCopy)} (server-side)`);
        deps.log(`Dry run: would stage every .riva file of the archive under ${(0,s3_uri/* formatS3Uri */.EO)((0,src_layout/* modelFilesFolder */.bT)(layout))}`);
    }
    for (const location of documents)
        deps.log(`Dry run: would write ${(0,s3_uri/* formatS3Uri */.EO)(location)}`);
    const planned = (0,publish/* stagingDocuments */.eE)(plan.metadata, layout, [], deps.now());
    return finish('planned', plan.content, [...planned.documents, planned.marker], [], plan.metadata);
}
/** write (content, pinned) → metadata → verify → marker, under the lease. */
async function writeStaging(run, plan, lease) {
    const { config, deps, layout } = run;
    const { discovery } = plan;
    const { log } = deps;
    const written = await deps.state.phase('write', async () => {
        if (discovery.existing !== undefined) {
            // Re-staging over a complete staging: withdraw its marker first, so that a failure
            // part-way leaves the target incomplete rather than "complete" with mixed contents.
            await deps.store.delete(layout.marker, 'the previous completion marker');
            log(`Removed the previous completion marker ${(0,s3_uri/* formatS3Uri */.EO)(layout.marker)} (force).`);
        }
        const full = layout.mode === 'full' ? await startFullStaging(config, layout, discovery, plan.metadata, deps, run.timeline) : undefined;
        const staged = plan.content ?? (await full.stage());
        // The metadata records each object as the server reports it after the write.
        const pinned = await pinStagedContent(staged, deps.store);
        const content = pinned.content;
        const metadata = content === plan.content ? plan.metadata : metadataOf(run, discovery, content);
        const writes = (0,publish/* stagingDocuments */.eE)(metadata, layout, content.documents, deps.now());
        // Everything but the marker now; the marker only once all of it is verified.
        const outcome = await (0,publish/* publishDocuments */.sq)(writes.documents, layout, 
        // A metadata document without a marker is a failed run's leftover, to be replaced.
        { metadataOnlyIfAbsent: !config.force && !discovery.metadataExists, markerOnlyIfAbsent: !config.force }, deps.store, log);
        if (outcome.published)
            run.timeline.mark('metadata written');
        return { content, metadata, writes, outcome, full, verified: pinned.verified };
    });
    const { content, metadata, writes, outcome, full } = written;
    const verifiedAndMarked = outcome.published
        ? await deps.state.phase('verify', async () => {
            const checked = writes.documents.map((write, index) => ({ write, etag: outcome.etags[index] ?? '' }));
            const verified = await verifyPublished(checked, metadata, layout, deps.store);
            run.timeline.mark('verified');
            await (0,replace/* removeUnlisted */.F)(layout, metadata, deps.store, log);
            // The marker vouches for everything above: only while this run still holds the lease.
            await lease.confirm();
            const marker = await (0,publish/* publishMarker */._d)(writes.marker, layout, !config.force, deps.store, log);
            if (marker !== undefined)
                run.timeline.mark('marker written');
            return marker && [...written.verified, ...verified, marker];
        })
        : undefined;
    if (verifiedAndMarked === undefined) {
        const existing = await deps.state.phase('verify', async () => {
            const marker = await (0,publish/* awaitConcurrentStaging */.Vu)(layout, (0,src_marker/* sourceIdentity */.Eq)(metadata), deps.store);
            return inspectExisting(layout, marker, deps.store);
        });
        // The other run's staging must hold up like any complete staging found at the start.
        completeStagingOfSameSource(existing, metadata, { force: false, expectedSha256: config.expectedSha256 });
        log('Another run completed the same staging at the same time: nothing of this run was published.');
        return alreadyStaged(existing, layout, content, finisher(run));
    }
    // Complete: the in-progress record has served its purpose.
    await full?.record.remove().catch(() => log('Could not remove the in-progress record; the marker is written.'));
    log(`Verified ${(0,format/* countOf */.pq)(verifiedAndMarked.length, 'object')} and the metadata document; the staging is marked complete.`);
    return finisher(run)('staged', content, [...writes.documents, writes.marker], verifiedAndMarked, metadata);
}
function metadataOf(run, discovery, content) {
    const { config, deps, layout } = run;
    return (0,src_metadata/* buildMetadata */.KP)({
        config,
        layout,
        source: discovery.source,
        sourceSha256: content?.sourceSha256 ?? discovery.source.info.sha256,
        containers: discovery.containers,
        sourceCopy: content?.sourceCopy,
        files: content?.files ?? [],
        run: { id: deps.runId, startedAt: run.startedAt, finishedAt: deps.now(), toolVersion: deps.toolVersion, github: deps.github },
    });
}
/** Builds the result and records the outcome in the state file. */
function finisher(run) {
    const { deps, layout } = run;
    return (status, content, writes, verified, shown, warnings = []) => {
        deps.state.record({
            status,
            written: [...(content?.objects ?? []).map((object) => object.location), ...writes.map((write) => write.location)].map(s3_uri/* formatS3Uri */.EO),
        });
        return {
            operation: 'stage',
            status,
            layout,
            metadata: shown,
            writes,
            content,
            verified,
            bytesDuplicationAvoided: content?.bytesDuplicationAvoided ?? 0,
            warnings: [...(content?.warnings ?? []), ...warnings],
            durations: deps.state.durations(),
            timeline: run.timeline.entries(),
            retries: deps.store.retries?.count ?? 0,
        };
    };
}
/** Whether the marker read now is the one discovery found (both absent, or the same record). */
function sameMarker(marker, existing) {
    if (marker.state === 'foreign')
        return false;
    if (marker.state === 'absent')
        return existing === undefined;
    return existing !== undefined && marker.record.metadataSha256 === existing.marker.metadataSha256 && marker.record.runId === existing.marker.runId;
}
/** The reference modes' content, once the archive is shown to be a gzip'd tar with the expected hash. */
async function planReferenceContent(config, discovery, deps) {
    const { source, existing } = discovery;
    await checkArchiveHead(source, deps.store);
    const recorded = existing?.metadata;
    const sameSource = recorded !== undefined && isSameSource(recorded, source);
    const sourceSha256 = await referencedArchiveSha256(source, {
        store: deps.store,
        expectedSha256: config.expectedSha256,
        recordedSha256: sameSource ? recorded.source.sha256 : null,
        maxAttempts: config.connection.maxAttempts,
        progress: deps.progress,
        log: deps.log,
    });
    return referenceContent(source, discovery.containers, sourceSha256);
}
/** The result for a complete staging found in place (at the start, or completed by a concurrent run). */
function alreadyStaged(existing, layout, content, finish) {
    const stored = existing.metadata;
    if (stored === undefined)
        throw new errors/* ValidationError */.yI(`${(0,s3_uri/* formatS3Uri */.EO)(layout.metadata)} ${existing.metadataProblem ?? 'cannot be read'}.`);
    const verified = [
        { what: 'the metadata document', uri: (0,s3_uri/* formatS3Uri */.EO)(layout.metadata), found: `sha256 ${existing.marker.metadataSha256}, as the marker records` },
        ...(0,src_metadata/* pinnedObjects */.bP)(stored).map((object) => ({ what: object.path, uri: object.uri, found: `${object.size_bytes} bytes, ETag ${object.etag}` })),
    ];
    const warnings = stored.schema_version === 1 ? [(0,verify.legacyStagingWarning)(layout)] : [];
    return finish('already-staged', content, [], verified, stored, warnings);
}
/** The archive's SHA-256 as the run knows it without reading it: `expected-sha256`, and what a complete staging of the same source recorded. */
function knownArchiveSha256(config, discovery) {
    const recorded = discovery.existing?.metadata;
    const sameSource = recorded !== undefined && isSameSource(recorded, discovery.source);
    return [
        ...(config.expectedSha256 === undefined ? [] : [config.expectedSha256]),
        ...(sameSource && recorded.source.sha256 !== null ? [recorded.source.sha256] : []),
    ];
}
/** Whether a staging's metadata records this very archive object (URI, ETag, size). */
function isSameSource(metadata, source) {
    return (metadata.source.uri === (0,s3_uri/* formatS3Uri */.EO)(source.location) &&
        metadata.source.etag === source.info.etag &&
        metadata.source.size_bytes === source.info.size);
}
/** Full mode's pass, continuing what an earlier run of the same source left staged. */
async function startFullStaging(config, layout, discovery, planned, deps, timeline) {
    const { store, state, log } = deps;
    const identity = (0,src_marker/* sourceIdentity */.Eq)(planned);
    // `force` re-stages everything; otherwise what already landed unchanged is kept.
    const reusable = config.force ? [] : await reusableEntries(store, layout, identity, log);
    const record = new StagingProgress(store, layout, identity, deps.runId, reusable, (staged) => state.record({ staged }));
    const stage = async () => {
        // The archive pipeline (its source and cache proof, tar's reader, the uploads) is loaded by the one mode that reads the archive.
        const { stageFullContent } = await Promise.all(/* import() */[__webpack_require__.e(697), __webpack_require__.e(864)]).then(__webpack_require__.bind(__webpack_require__, 864));
        return stageFullContent({
            config,
            layout,
            source: discovery.source,
            containers: discovery.containers,
            store,
            log,
            reusable: new Map(reusable.map((entry) => [entry.path, entry])),
            record,
            warn: deps.warn,
            cache: deps.cache,
            knownSha256: knownArchiveSha256(config, discovery),
            timeline,
            progress: {
                intervalMs: deps.progress.intervalMs,
                show: (line, snapshot) => {
                    deps.progress.show(line, snapshot);
                    state.record({ progress: line });
                },
            },
        });
    };
    return { record, stage };
}
async function discover(config, layout, deps) {
    const { store, log } = deps;
    // A real run finds a missing bucket at its first write; a dry run writes nothing, so it asks.
    if (config.dryRun)
        await store.checkBucket(config.bucket, 'the target bucket');
    const describe = async (location, what) => ({
        location,
        info: await store.describe(location, what),
    });
    const [source, containers, marker, metadataInfo] = await Promise.all([
        describe(config.model, 'the model archive'),
        Promise.all(config.container ? [describe(config.container, 'the container archive')] : []),
        (0,stored_documents/* readMarker */.t7)(layout, store),
        store.head(layout.metadata, 'the metadata document'),
    ]);
    const metadataExists = metadataInfo !== undefined;
    log(`Found ${(0,s3_uri/* formatS3Uri */.EO)(source.location)}: ${source.info.size} bytes, ETag ${source.info.etag}`);
    for (const container of containers) {
        log(`Found ${(0,s3_uri/* formatS3Uri */.EO)(container.location)}: ${container.info.size} bytes, ETag ${container.info.etag}`);
    }
    if (marker.state === 'foreign' && !config.force) {
        throw new errors/* ConflictError */.fK(`${(0,s3_uri/* formatS3Uri */.EO)(layout.marker)} exists but was not written by riva-130-stage. Remove it, or set \`force\` to replace the staging.`);
    }
    const existing = marker.state === 'ours' ? await inspectExisting(layout, marker.record, store) : undefined;
    return { source, containers, metadataExists, existing };
}
/** A complete staging as found: its metadata (when it is the document the marker records) and any pinned object that changed. */
async function inspectExisting(layout, marker, store) {
    const stored = await (0,stored_documents/* findMetadata */.jU)(layout.metadata, store);
    if (stored.state === 'absent')
        return { marker, metadata: undefined, metadataProblem: 'is missing', objectDifferences: [] };
    if (stored.state === 'invalid')
        return { marker, metadata: undefined, metadataProblem: stored.problem, objectDifferences: [] };
    if (marker.metadataSha256 !== (0,src_marker/* sha256Hex */.fg)(stored.text)) {
        return { marker, metadata: undefined, metadataProblem: 'is not the document its completion marker records', objectDifferences: [] };
    }
    return { marker, metadata: stored.metadata, metadataProblem: undefined, objectDifferences: await pinnedObjectDifferences(stored.metadata, store) };
}
/** The documents the run wrote exist with the size and ETag they were written with; the metadata reads back equal. */
async function verifyPublished(writes, metadata, layout, store) {
    const written = writes.map(({ write, etag }) => ({ location: write.location, sizeBytes: Buffer.byteLength(write.body), etag, what: write.what }));
    const { verified } = await checkWrittenObjects(written, store);
    const { metadata: readBack } = await (0,stored_documents/* readMetadata */._6)(layout.metadata, store);
    if (!(0,external_node_util_.isDeepStrictEqual)(readBack, metadata)) {
        throw new errors/* ValidationError */.yI(`Verification failed: ${metadata.deployment.metadata_uri} reads back different from what was written. ` +
            'Another run may be staging the same target at once on a server without conditional writes; re-run to check the staging.');
    }
    // Nothing the metadata pins may have changed since it was pinned (another run's late upload).
    const changed = await pinnedObjectDifferences(metadata, store);
    if (changed.length > 0) {
        throw new errors/* ValidationError */.yI([`Verification failed: objects changed after they were staged:`, ...changed.map((difference) => `- ${difference.uri} ${difference.problem}`)].join('\n'));
    }
    return verified;
}


/***/ })

};
