export const id = 169;
export const ids = [169];
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

/***/ 8169:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  fetchOperation: () => (/* binding */ fetchOperation),
  fetchOutputs: () => (/* binding */ fetchOutputs),
  fetchStaging: () => (/* binding */ fetchStaging)
});

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/marker.ts
var marker = __webpack_require__(5033);
// EXTERNAL MODULE: ./src/limit.ts
var limit = __webpack_require__(7768);
// EXTERNAL MODULE: ./src/s3/uri.ts
var s3_uri = __webpack_require__(5100);
// EXTERNAL MODULE: ./src/transfer-progress.ts
var transfer_progress = __webpack_require__(3854);
// EXTERNAL MODULE: ./src/operations/stored-documents.ts
var stored_documents = __webpack_require__(2516);
// EXTERNAL MODULE: ./src/operations/verify.ts
var verify = __webpack_require__(1233);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
;// CONCATENATED MODULE: ./src/operations/fetch/destination.ts




/** The manifest's name, beside the files it lists. */
const MANIFEST_NAME = 'fetch-manifest.json';
/** A file being written: renamed to its own name only once its hash is proven. */
const PARTIAL_SUFFIX = '.riva-fetch-partial';
/** Beside a partial file: which pinned object it holds the first bytes of, so a re-run continues only that. */
const SIDECAR_SUFFIX = `${PARTIAL_SUFFIX}.json`;
/**
 * The local directory a fetch writes to: the only module that touches it. Every file is written
 * under a temporary name and renamed only once its SHA-256 is proven; every temporary name this
 * run made is tracked, so that a failure (or cancellation) removes all of them at once.
 */
class FetchDestination {
    directory;
    manifestPath;
    #temporaries = new Set();
    constructor(directory) {
        this.directory = (0,external_node_path_.resolve)(directory);
        this.manifestPath = (0,external_node_path_.join)(this.directory, MANIFEST_NAME);
        (0,external_node_fs_.mkdirSync)(this.directory, { recursive: true });
    }
    /** The absolute path of a file of the staging; a path that would leave the destination is refused. */
    pathOf(path) {
        const absolute = (0,external_node_path_.resolve)(this.directory, ...path.split('/'));
        const inside = (0,external_node_path_.relative)(this.directory, absolute);
        if (inside === '' || inside.startsWith('..') || (0,external_node_path_.isAbsolute)(inside) || inside === MANIFEST_NAME) {
            throw new errors/* ValidationError */.yI(`The staging lists ${JSON.stringify(path)}, which is no file inside the destination.`);
        }
        return absolute;
    }
    /** The manifest a previous fetch left here, if any (one that does not parse counts as none). */
    previousManifest() {
        try {
            const parsed = JSON.parse((0,external_node_fs_.readFileSync)(this.manifestPath, 'utf8'));
            return parsed.tool === 'riva-130-stage' && Array.isArray(parsed.files) ? parsed : undefined;
        }
        catch {
            return undefined;
        }
    }
    /** Writes the manifest atomically: readers see the previous one or this one, never half of one. */
    writeManifest(manifest) {
        const temporary = this.#temporary(this.manifestPath);
        (0,external_node_fs_.writeFileSync)(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
        this.#rename(temporary, this.manifestPath);
    }
    /** Writes a small file of known content (the metadata document) under its temporary name, then its own. */
    writeVerified(path, content) {
        const target = this.pathOf(path);
        (0,external_node_fs_.mkdirSync)((0,external_node_path_.dirname)(target), { recursive: true });
        const temporary = this.#temporary(target);
        (0,external_node_fs_.writeFileSync)(temporary, content);
        this.#rename(temporary, target);
    }
    /**
     * Where to write `download`, and from which byte: a partial file a killed run left for the
     * same pinned object is continued; any other is started over.
     */
    openPartial(download) {
        const target = this.pathOf(download.path);
        (0,external_node_fs_.mkdirSync)((0,external_node_path_.dirname)(target), { recursive: true });
        const path = this.#temporary(target);
        const sidecar = `${target}${SIDECAR_SUFFIX}`;
        this.#temporaries.add(sidecar);
        const record = { uri: download.uri, etag: download.etag, version_id: download.versionId ?? null, size_bytes: download.sizeBytes };
        const size = (0,external_node_fs_.existsSync)(path) ? (0,external_node_fs_.statSync)(path).size : 0;
        const resumable = size > 0 && size <= download.sizeBytes && sameRecord(readRecord(sidecar), record);
        if (!resumable) {
            (0,external_node_fs_.writeFileSync)(path, '');
            (0,external_node_fs_.writeFileSync)(sidecar, JSON.stringify(record));
        }
        return { path, resumeFrom: resumable ? size : 0 };
    }
    /** A file proven whole and correct: it takes its own name, and its temporary names are gone. */
    keep(temporary, path) {
        const target = this.pathOf(path);
        this.#rename(temporary, target);
        (0,external_node_fs_.rmSync)(`${target}${SIDECAR_SUFFIX}`, { force: true });
        this.#temporaries.delete(`${target}${SIDECAR_SUFFIX}`);
    }
    /** A temporary name for a file written in one go (an extracted entry). */
    temporaryFor(path) {
        const target = this.pathOf(path);
        (0,external_node_fs_.mkdirSync)((0,external_node_path_.dirname)(target), { recursive: true });
        return this.#temporary(target);
    }
    /** Removes a file a previous fetch placed here that this staging does not hold. */
    remove(path) {
        (0,external_node_fs_.rmSync)(this.pathOf(path), { force: true });
    }
    /** The SHA-256 and size of a file already in place, or undefined when there is none. */
    async existing(path) {
        const target = this.pathOf(path);
        if (!(0,external_node_fs_.existsSync)(target) || !(0,external_node_fs_.statSync)(target).isFile())
            return undefined;
        return { sha256: await hashFile(target), sizeBytes: (0,external_node_fs_.statSync)(target).size };
    }
    /**
     * Removes every temporary file this run made: what a failure (or cancellation) must not leave
     * behind. Synchronous, so it completes before a cancelled process exits.
     */
    removeTemporaries() {
        const failed = [];
        for (const path of this.#temporaries) {
            try {
                (0,external_node_fs_.rmSync)(path, { force: true });
            }
            catch {
                failed.push(path);
            }
        }
        this.#temporaries.clear();
        return failed;
    }
    /** Temporary files a killed run left that no planned download continues: never part of a fetch. */
    removeStalePartials(planned) {
        const kept = new Set(planned.flatMap((download) => {
            const target = this.pathOf(download.path);
            return [`${target}${PARTIAL_SUFFIX}`, `${target}${SIDECAR_SUFFIX}`];
        }));
        for (const path of filesUnder(this.directory)) {
            if ((path.endsWith(PARTIAL_SUFFIX) || path.endsWith(SIDECAR_SUFFIX)) && !kept.has(path))
                (0,external_node_fs_.rmSync)(path, { force: true });
        }
    }
    #temporary(target) {
        const path = `${target}${PARTIAL_SUFFIX}`;
        this.#temporaries.add(path);
        return path;
    }
    #rename(temporary, target) {
        (0,external_node_fs_.renameSync)(temporary, target);
        this.#temporaries.delete(temporary);
    }
}
/** The SHA-256 of a local file, streamed. */
async function hashFile(path) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    for await (const chunk of (0,external_node_fs_.createReadStream)(path))
        hash.update(chunk);
    return hash.digest('hex');
}
function readRecord(path) {
    try {
        return JSON.parse((0,external_node_fs_.readFileSync)(path, 'utf8'));
    }
    catch {
        return undefined;
    }
}
function sameRecord(found, wanted) {
    return (found !== undefined &&
        found.uri === wanted.uri &&
        found.etag === wanted.etag &&
        found.version_id === wanted.version_id &&
        found.size_bytes === wanted.size_bytes);
}
function filesUnder(directory) {
    return (0,external_node_fs_.readdirSync)(directory, { withFileTypes: true, recursive: true })
        .filter((entry) => entry.isFile())
        .map((entry) => (0,external_node_path_.join)(entry.parentPath, entry.name))
        .filter((path) => path.startsWith(`${directory}${external_node_path_.sep}`));
}

// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(7075);
// EXTERNAL MODULE: external "node:stream/promises"
var promises_ = __webpack_require__(6466);
// EXTERNAL MODULE: ./src/archive/inflation-limit.ts
var inflation_limit = __webpack_require__(4246);
// EXTERNAL MODULE: ./src/archive/model-archive.ts
var model_archive = __webpack_require__(7116);
// EXTERNAL MODULE: ./src/layout.ts
var layout = __webpack_require__(5005);
;// CONCATENATED MODULE: ./src/operations/fetch/extract.ts







/**
 * Extracts the `.riva` files of an archive already fetched and proven (its SHA-256 checked), by
 * the rules full mode stages them under: links, absolute paths, `..`, duplicate entries and an
 * archive that inflates past the default limit are refused. Each file is hashed as it is written
 * under a temporary name; none takes its own name until the whole archive has been read, so a
 * bad entry late in the archive leaves no file of it behind.
 */
async function extractModelFiles(archive, destination) {
    const extracted = [];
    await (0,model_archive/* readModelArchive */.i)((0,external_node_fs_.createReadStream)(destination.pathOf(archive.path)), { maxInflatedBytes: (0,inflation_limit/* defaultMaxInflatedBytes */.o)(archive.size_bytes) }, async (file) => {
        const path = layout/* fetchedPaths */.Kv.modelFile(file.path);
        const temporary = destination.temporaryFor(path);
        const hash = (0,external_node_crypto_.createHash)('sha256');
        let sizeBytes = 0;
        const hashing = new external_node_stream_.Transform({
            transform(chunk, _encoding, done) {
                hash.update(chunk);
                sizeBytes += chunk.length;
                done(null, chunk);
            },
        });
        await (0,promises_.pipeline)(file.content, hashing, (0,external_node_fs_.createWriteStream)(temporary));
        extracted.push({
            temporary,
            entry: { path, size_bytes: sizeBytes, sha256: hash.digest('hex'), uri: null, etag: null, extracted_from: archive.path },
        });
    });
    for (const { temporary, entry } of extracted)
        destination.keep(temporary, entry.path);
    return extracted.map(({ entry }) => entry);
}

// EXTERNAL MODULE: external "node:fs/promises"
var external_node_fs_promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: ./src/s3/pinned-parts.ts
var pinned_parts = __webpack_require__(8525);
;// CONCATENATED MODULE: ./src/operations/fetch/pinned-download.ts



/**
 * Downloads one pinned object into `path` from byte `resumeFrom` (the bytes before it are
 * already there, and are hashed from disk), with parallel ranged GETs each pinned by `If-Match`
 * to the recorded ETag (and to the recorded version, when there is one). Parts are appended and
 * hashed in order as they land; the answer to every GET must carry the recorded ETag, so a
 * server that ignores `If-Match` still cannot hand over another object. Returns the SHA-256 of
 * the whole file; comparing it with the recorded one is the caller's.
 */
async function downloadPinned(store, download, path, resumeFrom, settings) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    if (resumeFrom > 0) {
        // The hash state is not kept between runs; the bytes on disk are, and re-reading them is cheap.
        await updateFromFile(hash, path, resumeFrom);
        settings.log(`Continuing ${download.what} from byte ${resumeFrom} of ${download.sizeBytes}.`);
    }
    const file = await (0,external_node_fs_promises_.open)(path, resumeFrom > 0 ? 'r+' : 'w');
    try {
        await (0,pinned_parts/* fetchParts */.ZR)(store, download, (0,pinned_parts/* partsFrom */.$p)(resumeFrom, download.sizeBytes, settings.partSize), settings, async (part, bytes) => {
            hash.update(bytes);
            await file.write(bytes, 0, bytes.length, part.first);
        });
    }
    finally {
        await file.close();
    }
    return hash.digest('hex');
}
async function updateFromFile(hash, path, endBytes) {
    const file = await (0,external_node_fs_promises_.open)(path, 'r');
    try {
        for await (const chunk of file.createReadStream({ start: 0, end: endBytes - 1, autoClose: false }))
            hash.update(chunk);
    }
    finally {
        await file.close();
    }
}

// EXTERNAL MODULE: ./src/archive/entry-policy.ts
var entry_policy = __webpack_require__(4877);
;// CONCATENATED MODULE: ./src/operations/fetch/plan.ts




/**
 * What fetching a staging downloads: a full staging's archive copy and `.riva` files; a staging
 * by reference, the archive it references (under `source/`). Every path comes from the document,
 * so each is held to the rules of an archive entry: relative, no `..`, nothing that climbs out
 * of the destination.
 */
function fetchPlan(metadata) {
    if (metadata.schema_version === 1) {
        throw new errors/* ValidationError */.yI(`${metadata.deployment.metadata_uri} was written by an earlier version (metadata schema_version 1) that pinned no object to its ETag, ` +
            'so its bytes cannot be fetched pinned. Re-stage it with `force`.');
    }
    const downloads = metadata.mode === 'full' ? fullStagingObjects(metadata) : [referencedArchive(metadata)];
    const paths = new Set();
    for (const download of downloads) {
        const problem = (0,entry_policy/* entryPathProblem */.hR)(download.path);
        if (problem !== undefined)
            throw new errors/* ValidationError */.yI(`${metadata.deployment.metadata_uri} lists ${JSON.stringify(download.path)}, which ${problem}.`);
        if (paths.has(download.path))
            throw new errors/* ValidationError */.yI(`${metadata.deployment.metadata_uri} lists ${download.path} twice.`);
        paths.add(download.path);
    }
    return downloads;
}
function fullStagingObjects(metadata) {
    const copy = metadata.source_copy;
    if (copy === null)
        throw new errors/* ValidationError */.yI(`${metadata.deployment.metadata_uri} is a full staging that records no archive copy; re-stage it.`);
    return [copy, ...metadata.files].map((object) => ({
        path: object.path,
        location: (0,s3_uri/* parseS3Uri */.yc)(object.uri),
        uri: object.uri,
        sizeBytes: object.size_bytes,
        etag: object.etag,
        versionId: object.version_id,
        sha256: object.sha256,
        what: object === copy ? 'the archive copy' : `the staged file ${object.path}`,
    }));
}
function referencedArchive(metadata) {
    const { source } = metadata;
    const location = (0,s3_uri/* parseS3Uri */.yc)(source.uri);
    return {
        // Where full mode stages its copy: the same place in the destination whatever the layout.
        path: layout/* fetchedPaths */.Kv.archive((0,s3_uri/* baseName */.Fl)(location.key)),
        location,
        uri: source.uri,
        sizeBytes: source.size_bytes,
        etag: source.etag,
        versionId: undefined,
        sha256: source.sha256,
        what: 'the model archive',
    };
}

;// CONCATENATED MODULE: ./src/operations/fetch/fetch.ts











/** Bytes per ranged GET: large enough that request overhead vanishes, small enough to retry cheaply. */
const PART_SIZE = 8 * 1024 * 1024;
/** Parts fetched and not yet written, across every download: memory stays at this many parts. */
const PARTS_IN_FLIGHT = 8;
/** Objects downloaded at once: a full staging's many small files do not wait on each other. */
const FILES_AT_ONCE = 4;
/** `fetch` as an operation: the staging found and checked, then every pinned object downloaded and proven. */
const fetchOperation = {
    stateFile: (config) => ({
        name: `fetch-${'metadata' in config.target ? 'metadata' : `${config.target.environment}-${config.target.modelName}-${config.target.modelVersion}`}`,
        fields: { destination: config.destination },
    }),
    run: (config, deps) => fetchStaging(config, deps),
    outputs: fetchOutputs,
    failure: () => undefined,
    warnings: (result) => result.warnings,
};
function fetchOutputs(result) {
    const { metadata } = result;
    return {
        'deployment-json-uri': (0,s3_uri/* formatS3Uri */.EO)(result.layout.metadata),
        'marker-uri': (0,s3_uri/* formatS3Uri */.EO)(result.layout.marker),
        'artifact-id': metadata.artifact_id,
        mode: 'fetch',
        status: 'fetched',
        'source-uri': metadata.source.uri,
        'source-size-bytes': String(metadata.source.size_bytes),
        'source-sha256': metadata.source.sha256 ?? '',
        'deployment-json-sha256': result.metadataSha256,
        'fetch-directory': result.directory,
        'manifest-path': result.manifestPath,
    };
}
/**
 * find (as verify finds it) → check (marker, document digest, every object's size and ETag) →
 * download each pinned object, proven by its SHA-256 → extract (with `extract`) → manifest.
 * Whatever fails, every temporary file this run made is removed: the destination holds only
 * whole, proven files, each listed in the manifest.
 */
async function fetchStaging(config, deps) {
    const staging = await deps.state.phase('discover', () => checkedStaging(config, deps));
    const plan = fetchPlan(staging.metadata);
    const documentPath = (0,s3_uri/* baseName */.Fl)(staging.layout.metadata.key);
    // The document is written beside the files under its own name: no listed object may take it.
    if (plan.some((download) => download.path === documentPath)) {
        throw new errors/* ValidationError */.yI(`${(0,s3_uri/* formatS3Uri */.EO)(staging.layout.metadata)} lists an object at ${documentPath}, the document's own name.`);
    }
    const destination = new FetchDestination(config.destination);
    deps.state.record({ metadata_uri: (0,s3_uri/* formatS3Uri */.EO)(staging.layout.metadata), metadata_sha256: staging.sha256, destination: destination.directory });
    const warnings = [];
    if (staging.metadata.mode !== 'full' && staging.metadata.source.sha256 === null) {
        warnings.push(`${staging.metadata.source.uri} has no recorded SHA-256 (staged by reference without \`expected-sha256\`, and S3 keeps no checksum of it): ` +
            'it was fetched pinned to its ETag only. Stage with `expected-sha256` to have it proven by its hash.');
    }
    if (config.extract && staging.metadata.mode === 'full')
        warnings.push('`extract` has nothing to do for a full staging: its .riva files are staged extracted.');
    const manifest = (files, complete) => ({
        tool: 'riva-130-stage',
        metadata_uri: (0,s3_uri/* formatS3Uri */.EO)(staging.layout.metadata),
        metadata_sha256: staging.sha256,
        artifact_id: staging.metadata.artifact_id,
        complete,
        files: [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map(({ path, size_bytes, sha256, uri, etag, extracted_from }) => ({ path, size_bytes, sha256, uri, etag, ...(extracted_from ? { extracted_from } : {}) })),
    });
    const placed = [];
    const place = (file) => {
        placed.push(file);
        // Listed as soon as it is in place: at no moment does the destination hold a file the manifest does not list.
        destination.writeManifest(manifest(placed, false));
    };
    try {
        const downloaded = await deps.state.phase('download', async () => {
            removeFilesOfAnotherFetch(destination, plan, deps.log);
            destination.removeStalePartials(plan);
            return downloadAll(plan, destination, config, deps, place);
        });
        if (config.extract && staging.metadata.mode !== 'full') {
            await deps.state.phase('write', async () => {
                const archive = placed.find((file) => file.path === plan[0]?.path);
                if (archive === undefined)
                    return;
                for (const file of await extractModelFiles(archive, destination))
                    place({ ...file, how: 'extracted' });
            });
        }
        destination.writeVerified(documentPath, staging.text);
        placed.push({ path: documentPath, size_bytes: Buffer.byteLength(staging.text), sha256: staging.sha256, uri: (0,s3_uri/* formatS3Uri */.EO)(staging.layout.metadata), etag: null, how: 'document' });
        destination.writeManifest(manifest(placed, true));
        deps.log(`Fetched ${placed.length} files into ${destination.directory}; manifest ${destination.manifestPath}.`);
        deps.state.record({ status: 'fetched', manifest: destination.manifestPath });
        return {
            operation: 'fetch',
            layout: staging.layout,
            metadata: staging.metadata,
            metadataSha256: staging.sha256,
            directory: destination.directory,
            manifestPath: destination.manifestPath,
            files: placed,
            bytesDownloaded: downloaded,
            warnings,
            durations: deps.state.durations(),
            retries: deps.store.retries?.count ?? 0,
        };
    }
    catch (error) {
        // No partly written file survives a failure; the whole, proven ones stay, listed, for a re-run.
        for (const path of destination.removeTemporaries())
            deps.warn(`Could not remove the partly written ${path}; remove it before using the directory.`);
        throw error;
    }
}
/**
 * The staging as verify finds and checks it (marker present and vouching for the document,
 * schema, identity, every object's size and ETag), its document digest held to
 * `deployment-json-sha256` when given, and the document's exact text, read again and held to the
 * same digest (it is what the destination receives).
 */
async function checkedStaging(config, deps) {
    const checked = await (0,verify.verifyDeployment)({ target: config.target, deep: false }, deps.store, deps.log, { maxAttempts: config.connection.maxAttempts });
    if (checked.mismatches.length > 0 || checked.metadata === undefined || checked.metadataSha256 === undefined) {
        throw new errors/* ValidationError */.yI(`The staging cannot be fetched. ${(0,verify.mismatchReport)(checked)}`);
    }
    const uri = (0,s3_uri/* formatS3Uri */.EO)(checked.layout.metadata);
    const expected = config.expectedMetadataSha256;
    if (expected !== undefined && checked.metadataSha256 !== expected) {
        throw new errors/* ValidationError */.yI(`${uri} has SHA-256 ${checked.metadataSha256}, not the ${expected} that \`deployment-json-sha256\` (RIVA_DEPLOYMENT_JSON_SHA256) expects: ` +
            'it is not the document that was attested or handed over. Nothing was downloaded.');
    }
    const stored = await (0,stored_documents/* findMetadata */.jU)(checked.layout.metadata, deps.store);
    const text = stored.state === 'absent' ? '' : stored.text;
    if ((0,marker/* sha256Hex */.fg)(text) !== checked.metadataSha256 || stored.state !== 'valid' || stored.metadata.schema_version !== 2) {
        throw new errors/* ValidationError */.yI(`${uri} changed while it was read (its SHA-256 is no longer ${checked.metadataSha256}). Nothing was downloaded.`);
    }
    deps.log(`Verified ${uri} (sha256 ${checked.metadataSha256}, ${checked.checked.length} checks).`);
    return { layout: checked.layout, metadata: stored.metadata, text, sha256: checked.metadataSha256 };
}
/**
 * What an earlier fetch into the same destination placed and this one does not download:
 * removed, so that what remains is what the new manifest lists. Extracted files and the
 * document are placed afresh; a planned object already here is kept once its hash is proven.
 */
function removeFilesOfAnotherFetch(destination, plan, log) {
    const previous = destination.previousManifest();
    if (previous === undefined)
        return;
    const planned = new Set(plan.map((download) => download.path));
    for (const file of previous.files) {
        if (planned.has(file.path))
            continue;
        destination.remove(file.path);
        log(`Removed ${file.path}, placed by an earlier fetch of ${previous.metadata_uri}.`);
    }
}
/** Every planned object, a few at a time, each proven by its hash before it takes its name. */
async function downloadAll(plan, destination, config, deps, place) {
    const progress = transfer_progress/* TransferProgress */.v5.on(deps.progress, 'Fetching', plan.reduce((total, download) => total + download.sizeBytes, 0));
    const settings = {
        partSize: PART_SIZE,
        slots: new limit/* Semaphore */.j(PARTS_IN_FLIGHT),
        maxAttempts: config.connection.maxAttempts,
        onBytes: (bytes) => progress.add(bytes),
        log: deps.log,
    };
    const files = new limit/* Semaphore */.j(FILES_AT_ONCE);
    let downloaded = 0;
    let failure;
    await Promise.all(plan.map(async (download) => {
        const release = await files.acquire();
        try {
            // After the first failure nothing new starts; what is running finishes or fails on its own.
            if (failure !== undefined)
                return;
            const bytes = await fetchOne(deps.store, download, destination, settings, progress, place);
            downloaded += bytes;
        }
        catch (error) {
            failure ??= error;
        }
        finally {
            release();
        }
    }));
    // Files proven before a failure stay, listed, for a re-run to keep.
    if (failure !== undefined)
        throw failure;
    progress.showNow();
    return downloaded;
}
/**
 * One object: kept when the destination already holds it proven, else downloaded (or continued)
 * and proven, listed, and only then given its name. Returns the bytes it downloaded.
 */
async function fetchOne(store, download, destination, settings, progress, place) {
    const entry = { path: download.path, size_bytes: download.sizeBytes, uri: download.uri, etag: download.etag };
    const existing = download.sha256 === null ? undefined : await destination.existing(download.path);
    if (existing !== undefined && existing.sha256 === download.sha256 && existing.sizeBytes === download.sizeBytes) {
        progress.add(download.sizeBytes);
        settings.log(`Kept ${download.path}: already here, with the recorded SHA-256.`);
        place({ ...entry, sha256: existing.sha256, how: 'kept' });
        return 0;
    }
    const partial = destination.openPartial(download);
    progress.add(partial.resumeFrom);
    const sha256 = await downloadPinned(store, download, partial.path, partial.resumeFrom, settings);
    if (download.sha256 !== null && sha256 !== download.sha256) {
        throw new errors/* ValidationError */.yI(`${download.uri} (${download.what}) has SHA-256 ${sha256}, not the ${download.sha256} the metadata records; it was not kept.`);
    }
    place({ ...entry, sha256, how: partial.resumeFrom > 0 ? 'resumed' : 'downloaded' });
    destination.keep(partial.path, download.path);
    return download.sizeBytes - partial.resumeFrom;
}


/***/ })

};
