export const id = 159;
export const ids = [159,132];
export const modules = {

/***/ 5033:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Eq: () => (/* binding */ sourceIdentity),
/* harmony export */   OJ: () => (/* binding */ markerRecord),
/* harmony export */   fg: () => (/* binding */ sha256Hex),
/* harmony export */   gY: () => (/* binding */ parseMarker),
/* harmony export */   kn: () => (/* binding */ sourceDifferences),
/* harmony export */   qN: () => (/* binding */ serialiseMarker)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);

const FIELDS = [
    ['artifactId', 'artifact_id'],
    ['mode', 'mode'],
    ['metadataUri', 'metadata_uri'],
    ['metadataSha256', 'metadata_sha256'],
    ['sourceUri', 'source_uri'],
    ['sourceEtag', 'source_etag'],
    ['sourceSizeBytes', 'source_size_bytes'],
    ['containers', 'containers'],
    ['runId', 'run_id'],
    ['completedAt', 'completed_at'],
];
function markerRecord(metadata, metadataText, completedAt) {
    return {
        artifactId: metadata.artifact_id,
        mode: metadata.mode,
        metadataUri: metadata.deployment.metadata_uri,
        metadataSha256: sha256Hex(metadataText),
        sourceUri: metadata.source.uri,
        sourceEtag: metadata.source.etag,
        sourceSizeBytes: metadata.source.size_bytes,
        containers: containersField(metadata.containers),
        runId: metadata.run.id,
        completedAt: completedAt.toISOString(),
    };
}
function serialiseMarker(record) {
    return `${FIELDS.map(([field, key]) => `${key}=${record[field]}`).join('\n')}\n`;
}
/** Reads a marker; undefined when it is not one this tool wrote (then it cannot vouch for it). */
function parseMarker(text) {
    const values = new Map();
    for (const line of text.split('\n')) {
        const equals = line.indexOf('=');
        if (equals > 0)
            values.set(line.slice(0, equals), line.slice(equals + 1).trim());
    }
    const record = {};
    for (const [field, key] of FIELDS) {
        const value = values.get(key);
        if (value === undefined)
            return undefined;
        record[field] = field === 'sourceSizeBytes' ? Number(value) : value;
    }
    return record;
}
function sourceIdentity(metadata) {
    return {
        mode: metadata.mode,
        sourceUri: metadata.source.uri,
        sourceEtag: metadata.source.etag,
        sourceSizeBytes: metadata.source.size_bytes,
        containers: containersField(metadata.containers),
    };
}
/** What differs between a recorded and a current source, in words; empty when identical. */
function sourceDifferences(recorded, current) {
    const differences = [];
    if (recorded.mode !== current.mode) {
        differences.push(`mode ${recorded.mode} → ${current.mode}`);
    }
    if (recorded.sourceUri !== current.sourceUri) {
        differences.push(`archive ${recorded.sourceUri} → ${current.sourceUri}`);
    }
    if (recorded.sourceEtag !== current.sourceEtag) {
        differences.push(`archive ETag ${recorded.sourceEtag} → ${current.sourceEtag}`);
    }
    if (recorded.sourceSizeBytes !== current.sourceSizeBytes) {
        differences.push(`archive size ${recorded.sourceSizeBytes} → ${current.sourceSizeBytes} bytes`);
    }
    if (recorded.containers !== current.containers) {
        differences.push(`containers "${recorded.containers}" → "${current.containers}"`);
    }
    return differences;
}
function sha256Hex(text) {
    return (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(text).digest('hex');
}
function containersField(containers) {
    return containers.map((container) => `${container.uri}@${container.etag}`).join(',');
}


/***/ }),

/***/ 3540:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   deleteOperation: () => (/* binding */ deleteOperation),
/* harmony export */   deleteStaging: () => (/* binding */ deleteStaging)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(3916);
/* harmony import */ var _layout_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5005);
/* harmony import */ var _s3_uri_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(5100);
/* harmony import */ var _lease_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1892);
/* harmony import */ var _list_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(9132);





const deleteOperation = {
    stateFile: (config) => ({
        name: `delete-${config.environment}-${config.modelName}-${config.modelVersion}`,
        fields: { environment: config.environment },
    }),
    run: (config, deps) => deleteStaging(config, deps),
    outputs: (result) => ({
        'deployment-json-uri': result.layouts[0] === undefined ? '' : (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_1__/* .formatS3Uri */ .EO)(result.layouts[0].metadata),
        'marker-uri': result.layouts[0] === undefined ? '' : (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_1__/* .formatS3Uri */ .EO)(result.layouts[0].marker),
        mode: 'delete',
        status: result.status,
    }),
    failure: () => undefined,
    warnings: () => [],
};
/**
 * Removes one staging (the documents of either layout, its staged objects and records), marker
 * first, so that nothing looks complete while it goes, and the metadata last, so that an
 * interrupted delete leaves what a re-run of delete (or a new staging) finds and replaces. A
 * staging that a later environment was promoted from is kept unless `force`. Each layout is
 * removed under its staging lease, like any other write to it: a run staging or promoting the
 * same version at that moment makes the delete fail instead of losing its objects under it.
 */
async function deleteStaging(config, deps) {
    const { store, log, state } = deps;
    const found = await state.phase('discover', () => stagingObjects(config, store));
    const layouts = found.map(({ layout }) => layout);
    if (found.length === 0) {
        log(`No staging of ${config.modelName} ${config.modelVersion} for ${config.environment}: nothing to delete.`);
        state.record({ status: 'absent' });
        return { operation: 'delete', status: 'absent', layouts, removed: [] };
    }
    const order = await state.phase('plan', async () => {
        await refuseWhenPromotedFrom(config, layouts, store);
        return found.map((staging) => ({ layout: staging.layout, order: removalOrder(staging) }));
    });
    const removed = order.flatMap(({ order }) => order.map(({ location }) => (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_1__/* .formatS3Uri */ .EO)(location)));
    if (config.dryRun) {
        for (const uri of removed)
            log(`Dry run: would delete ${uri}`);
        state.record({ status: 'planned' });
        return { operation: 'delete', status: 'planned', layouts, removed };
    }
    for (const { layout, order: objects } of order) {
        const lease = await state.phase('lease', () => _lease_js__WEBPACK_IMPORTED_MODULE_2__/* .StagingLease */ .kB.acquire(store, layout, (0,_lease_js__WEBPACK_IMPORTED_MODULE_2__/* .leaseOwner */ .I9)(deps), (0,_lease_js__WEBPACK_IMPORTED_MODULE_2__/* .leaseOptions */ .Ph)(config, deps)));
        try {
            await state.phase('write', async () => {
                for (const { location, what } of objects) {
                    await store.delete(location, what);
                    log(`Deleted ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_1__/* .formatS3Uri */ .EO)(location)}`);
                }
            });
        }
        finally {
            // Releasing deletes the lease record: the last object of the staging's folder to go.
            await lease.release();
        }
    }
    state.record({ status: 'deleted', removed });
    return { operation: 'delete', status: 'deleted', layouts, removed };
}
/** The layouts of this staging that hold anything, with what they hold. */
async function stagingObjects(config, store) {
    const candidates = (0,_layout_js__WEBPACK_IMPORTED_MODULE_0__/* .candidateLayouts */ .fN)(config.bucket, config, (0,_layout_js__WEBPACK_IMPORTED_MODULE_0__/* .bintarballRootOrDefault */ .Uu)(config.bintarballKey));
    const found = await Promise.all(candidates.map(async (layout) => {
        const { objects } = await store.list(layout.prefix, `the staging ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_1__/* .formatS3Uri */ .EO)(layout.prefix)}`);
        return { layout, keys: objects.map((object) => object.key) };
    }));
    return found.filter(({ layout, keys }) => keys.includes(layout.metadata.key) || keys.includes(layout.marker.key));
}
/**
 * One staging's objects in the order they go: the marker first, then everything else, then the
 * metadata document. The lease record is left out: the delete takes that lease itself, and an
 * expired one it takes over is removed on release.
 */
function removalOrder({ layout, keys }) {
    const marker = keys.includes(layout.marker.key) ? [{ location: layout.marker, what: 'the completion marker' }] : [];
    const document = keys.includes(layout.metadata.key) ? [{ location: layout.metadata, what: 'the metadata document' }] : [];
    const special = new Set([layout.marker.key, layout.metadata.key, (0,_layout_js__WEBPACK_IMPORTED_MODULE_0__/* .leaseRecord */ .qK)(layout).key]);
    const rest = keys
        .filter((key) => !special.has(key))
        .map((key) => {
        const location = { bucket: layout.prefix.bucket, key };
        return { location, what: (0,_layout_js__WEBPACK_IMPORTED_MODULE_0__/* .relativeToPrefix */ .UN)(layout, location) };
    });
    return [...marker, ...rest, ...document];
}
/** A staging another environment was promoted from is still the record of where that one came from. */
async function refuseWhenPromotedFrom(config, layouts, store) {
    if (config.force)
        return;
    const uris = new Set(layouts.map((layout) => (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_1__/* .formatS3Uri */ .EO)(layout.metadata)));
    const { stagings } = await (0,_list_js__WEBPACK_IMPORTED_MODULE_3__.listStagings)({ ...config, environment: undefined }, store);
    const dependants = stagings
        .filter((staging) => staging.promotedFrom !== null && uris.has(staging.promotedFrom.metadataUri))
        .map((staging) => staging.metadataUri);
    if (dependants.length > 0) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .ConflictError */ .fK(`${[...uris].join(' and ')} was promoted to ${dependants.join(', ')}. Delete those first, or set \`force\` to delete it anyway.`);
    }
}


/***/ }),

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

/***/ 9132:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   listOperation: () => (/* binding */ listOperation),
/* harmony export */   listStagings: () => (/* binding */ listStagings)
/* harmony export */ });
/* harmony import */ var _layout_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5005);
/* harmony import */ var _marker_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(5033);
/* harmony import */ var _s3_uri_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(5100);
/* harmony import */ var _stored_documents_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(2516);




const listOperation = {
    stateFile: (config) => ({ name: `list-${config.bucket}`, fields: {} }),
    async run(config, deps) {
        const result = await deps.state.phase('discover', () => listStagings(config, deps.store));
        deps.state.record({ status: 'listed' });
        deps.log(`Found ${result.stagings.length} staging(s) in s3://${config.bucket}/.`);
        return result;
    },
    outputs: (result) => ({ mode: 'list', status: 'listed', stagings: JSON.stringify(result.stagings) }),
    failure: () => undefined,
    warnings: () => [],
};
/**
 * Every staging in both trees of the bucket, narrowed to the environment, model and version
 * given. Each tree (or the narrowed part of it) is listed in full and its stagings are the
 * folders that hold a metadata document or a marker: servers differ in how well they roll
 * nested keys up into delimiter prefixes (the embedded test server drops those more than one
 * folder deep), while a plain prefix listing is the same everywhere. Read-only; sorted by
 * environment, model and version, the bintarball tree first.
 */
async function listStagings(config, store) {
    const root = (0,_layout_js__WEBPACK_IMPORTED_MODULE_0__/* .bintarballRootOrDefault */ .Uu)(config.bintarballKey);
    const trees = (0,_layout_js__WEBPACK_IMPORTED_MODULE_0__/* .stagingTrees */ .pd)(config.bucket, root);
    const narrowing = { environment: config.environment, modelName: config.modelName, modelVersion: config.modelVersion };
    const found = [];
    for (const tree of [trees.bintarball, trees.stagingArea]) {
        const prefix = (0,_layout_js__WEBPACK_IMPORTED_MODULE_0__/* .narrowedPrefix */ .BJ)(tree, narrowing);
        const { objects } = await store.list(prefix, `the stagings under ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_2__/* .formatS3Uri */ .EO)(prefix)}`);
        const targets = new Map();
        for (const object of objects) {
            const target = (0,_layout_js__WEBPACK_IMPORTED_MODULE_0__/* .stagingOfKey */ .yJ)(tree, object.key, root);
            if (target !== undefined && matches(target, narrowing))
                targets.set(`${target.environment}/${target.modelName}/${target.modelVersion}`, target);
        }
        for (const [, target] of [...targets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
            const staging = await describeStaging((0,_layout_js__WEBPACK_IMPORTED_MODULE_0__/* .layoutInTree */ .s3)(tree, target, root), store);
            found.push({ environment: target.environment, model: target.modelName, version: target.modelVersion, ...staging });
        }
    }
    return { operation: 'list', trees: [(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_2__/* .formatS3Uri */ .EO)(trees.bintarball), (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_2__/* .formatS3Uri */ .EO)(trees.stagingArea)], stagings: found };
}
function matches(target, narrowing) {
    return ((narrowing.environment === undefined || narrowing.environment === target.environment) &&
        (narrowing.modelName === undefined || narrowing.modelName === target.modelName) &&
        (narrowing.modelVersion === undefined || narrowing.modelVersion === target.modelVersion));
}
/** A staging's documents as found in its folder. */
async function describeStaging(layout, store) {
    const [marker, stored] = await Promise.all([(0,_stored_documents_js__WEBPACK_IMPORTED_MODULE_3__/* .readMarker */ .t7)(layout, store), (0,_stored_documents_js__WEBPACK_IMPORTED_MODULE_3__/* .findMetadata */ .jU)(layout.metadata, store)]);
    const metadata = stored.state === 'valid' ? stored.metadata : undefined;
    const vouched = marker.state === 'ours' && stored.state !== 'absent' && marker.record.metadataSha256 === (0,_marker_js__WEBPACK_IMPORTED_MODULE_1__/* .sha256Hex */ .fg)(stored.text);
    return {
        mode: metadata?.mode ?? null,
        complete: vouched && metadata !== undefined,
        source: metadata?.source.uri ?? null,
        stagedAt: metadata?.run.finished_at ?? null,
        promotedFrom: metadata?.promoted_from ? { environment: metadata.promoted_from.environment, metadataUri: metadata.promoted_from.metadata_uri } : null,
        metadataUri: (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_2__/* .formatS3Uri */ .EO)(layout.metadata),
    };
}


/***/ }),

/***/ 2516:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   _6: () => (/* binding */ readMetadata),
/* harmony export */   jU: () => (/* binding */ findMetadata),
/* harmony export */   t7: () => (/* binding */ readMarker)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(3916);
/* harmony import */ var _marker_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5033);
/* harmony import */ var _metadata_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8642);
/* harmony import */ var _s3_uri_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(5100);




/** The one reader of a completion marker. */
async function readMarker(layout, store) {
    if ((await store.head(layout.marker, 'the completion marker')) === undefined)
        return { state: 'absent' };
    const record = (0,_marker_js__WEBPACK_IMPORTED_MODULE_0__/* .parseMarker */ .gY)(await store.getText(layout.marker, 'the completion marker'));
    return record === undefined ? { state: 'foreign' } : { state: 'ours', record };
}
/** The one reader of a metadata document that may not be there (verify reports what it finds). */
async function findMetadata(location, store) {
    if ((await store.head(location, 'the metadata document')) === undefined)
        return { state: 'absent' };
    const text = await store.getText(location, 'the metadata document');
    const parsed = (0,_metadata_js__WEBPACK_IMPORTED_MODULE_1__/* .parseMetadataDocument */ .In)(text);
    return 'problem' in parsed ? { state: 'invalid', text, problem: parsed.problem } : { state: 'valid', text, metadata: parsed.metadata };
}
/** A metadata document that must be there and valid. */
async function readMetadata(location, store) {
    const text = await store.getText(location, 'the metadata document');
    const parsed = (0,_metadata_js__WEBPACK_IMPORTED_MODULE_1__/* .parseMetadataDocument */ .In)(text);
    if ('problem' in parsed)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ValidationError */ .yI(`${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_2__/* .formatS3Uri */ .EO)(location)} ${parsed.problem}.`);
    return { metadata: parsed.metadata, text };
}


/***/ })

};
