export const id = 233;
export const ids = [233];
export const modules = {

/***/ 2243:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   HC: () => (/* binding */ readArchiveHead),
/* harmony export */   s2: () => (/* binding */ archiveHeadProblem)
/* harmony export */ });
/* unused harmony export ARCHIVE_HEAD_BYTES */
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8522);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_zlib__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var tar_header__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6532);
/* harmony import */ var tar_pax__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(750);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(3916);
/* harmony import */ var _entry_policy_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4877);

// The header parsers alone: the reference modes and verify check an archive's start without loading the rest of tar.




/**
 * The reference modes stage an archive without reading it through, so they prove from its first
 * bytes that it is a gzip'd tar. 64 KiB leave room for a gzip header's optional fields and the
 * PAX or GNU long-name records that may come before the first entry.
 */
const ARCHIVE_HEAD_BYTES = 64 * 1024;
const TAR_BLOCK = 512;
/** Inflated bytes that hold the first entry's header, extension records included, in any sane archive. */
const TAR_START_BYTES = 16 * 1024;
/** Headers that describe the entry after them rather than being one. */
const EXTENSION_HEADERS = new Set([
    'ExtendedHeader', 'OldExtendedHeader', 'GlobalExtendedHeader', 'NextFileHasLongPath', 'OldGnuLongPath', 'NextFileHasLongLinkpath',
]);
/** What an archive that is not gzip'd may be instead, to say so. */
const OTHER_FORMATS = [
    { magic: [0x50, 0x4b, 0x03, 0x04], name: 'a zip file' },
    { magic: [0x42, 0x5a, 0x68], name: 'bzip2-compressed' },
    { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], name: 'xz-compressed' },
    { magic: [0x28, 0xb5, 0x2f, 0xfd], name: 'zstd-compressed' },
];
/**
 * Why an object whose first bytes are `head` is not a gzip'd tar, as the rest of a sentence about
 * it ("is not gzip-compressed (…)"), or undefined when its start is one. `head` holds the object's
 * first bytes: all of them when it is smaller than what was read. Only the start is proven: a
 * corruption further on is found by the read that stages the archive.
 */
function archiveHeadProblem(head, archiveSizeBytes) {
    if (head.length === 0)
        return 'is empty';
    const gzipProblem = gzipSignatureProblem(head);
    if (gzipProblem !== undefined)
        return gzipProblem;
    let start;
    try {
        start = inflatedStart(head);
    }
    catch (error) {
        return `is gzip but its compressed data is corrupt (${(0,_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .errorMessage */ .gJ)(error)})`;
    }
    return tarStartProblem(start.tar, start.ofWholeHead && head.length >= archiveSizeBytes, head.length);
}
function gzipSignatureProblem(head) {
    if (head[0] === 0x1f && head[1] === 0x8b) {
        // Deflate is the only method gzip defines; any other byte here is not a gzip stream.
        return head.length > 2 && head[2] !== 8 ? `starts like gzip but names compression method ${head[2]}, not deflate (8)` : undefined;
    }
    const start = [...head.subarray(0, 4)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
    return `is not gzip-compressed (it starts with ${start}${otherFormat(head)})`;
}
function otherFormat(head) {
    const format = OTHER_FORMATS.find(({ magic }) => magic.every((byte, index) => head[index] === byte));
    if (format !== undefined)
        return `: ${format.name}`;
    // A plain tar is the likeliest mistake: its ustar magic sits 257 bytes in.
    return head.toString('latin1', 257, 262) === 'ustar' ? ': an uncompressed tar' : '';
}
/**
 * The start of what `head` inflates to, and whether it is all that `head` inflates to. Sync flush:
 * a head cut mid-stream inflates what it can instead of failing as truncated. Deflate expands up
 * to ~1000-fold, so growing prefixes of the head are inflated until enough comes out, and a head
 * of compressed zeros never becomes 64 MiB in memory.
 */
function inflatedStart(head) {
    for (let length = 1024;; length *= 2) {
        const tar = (0,node_zlib__WEBPACK_IMPORTED_MODULE_0__.gunzipSync)(head.subarray(0, length), { finishFlush: node_zlib__WEBPACK_IMPORTED_MODULE_0__.constants.Z_SYNC_FLUSH });
        const ofWholeHead = length >= head.length;
        if (ofWholeHead || tar.length >= TAR_START_BYTES)
            return { tar, ofWholeHead };
    }
}
/**
 * Whether `tar`, the inflated start of an archive, begins with a valid tar header for a sanely
 * named entry, following the extension headers (PAX, GNU long names) that may come first.
 * `whole`: `tar` is all the object inflates to, so what is missing from it is missing from the
 * archive; else only `headBytes` of the object were read and the rest may follow.
 */
function tarStartProblem(tar, whole, headBytes) {
    const notTar = (detail) => `is gzip but does not hold a tar archive: ${detail}`;
    let extension;
    let global;
    for (let offset = 0;;) {
        if (tar.length < offset + TAR_BLOCK) {
            const inflated = whole ? 'it inflates' : `its first ${headBytes} bytes inflate`;
            if (offset === 0)
                return notTar(`${inflated} to ${tar.length} bytes, less than one ${TAR_BLOCK}-byte tar header`);
            // The extension records run past what was inflated: the start seen is valid.
            return whole ? notTar('it ends inside the headers of its first entry') : undefined;
        }
        const header = new tar_header__WEBPACK_IMPORTED_MODULE_1__/* .Header */ .Y(tar, offset, extension, global);
        const which = offset === 0 ? 'its first header' : `its header at inflated byte ${offset}`;
        if (header.nullBlock)
            return offset === 0 ? 'is gzip but holds an empty tar archive' : notTar(`${which} ends the archive before any entry`);
        if (!header.cksumValid)
            return notTar(`${which} fails the tar header checksum`);
        if (header.type === 'Unsupported') {
            return notTar(`${which} has the unknown entry type ${JSON.stringify(tar.toString('latin1', offset + 156, offset + 157))}`);
        }
        if (!EXTENSION_HEADERS.has(header.type))
            return entryNameProblem(header);
        const size = header.size ?? 0;
        const recordEnd = offset + TAR_BLOCK + size;
        if (tar.length < recordEnd)
            return whole ? notTar('it ends inside the headers of its first entry') : undefined;
        ({ extension, global } = applyExtension(header.type, tar.toString('utf8', offset + TAR_BLOCK, recordEnd), extension, global));
        offset += TAR_BLOCK + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
    }
}
function entryNameProblem(header) {
    const path = header.path ?? '';
    // `tar -C dir .` names the root directory first, as `./`.
    if (header.type === 'Directory' && (0,_entry_policy_js__WEBPACK_IMPORTED_MODULE_3__/* .isArchiveRoot */ .F)(path))
        return undefined;
    const problem = (0,_entry_policy_js__WEBPACK_IMPORTED_MODULE_3__/* .entryPathProblem */ .hR)(path);
    return problem === undefined ? undefined : `its first tar entry has an unsafe name: ${JSON.stringify(path)} ${problem}`;
}
/** An extension record applied as node-tar's parser applies it to the entry that follows. */
function applyExtension(type, record, extension, global) {
    const untilNul = (text) => text.split('\0', 1)[0] ?? '';
    switch (type) {
        case 'GlobalExtendedHeader':
            return { extension, global: tar_pax__WEBPACK_IMPORTED_MODULE_2__/* .Pax */ .u.parse(record, global, true) };
        case 'NextFileHasLongPath':
        case 'OldGnuLongPath':
            return { extension: { ...extension, path: untilNul(record) }, global };
        case 'NextFileHasLongLinkpath':
            return { extension: { ...extension, linkpath: untilNul(record) }, global };
        default:
            return { extension: tar_pax__WEBPACK_IMPORTED_MODULE_2__/* .Pax */ .u.parse(record, extension, false), global };
    }
}
/**
 * The first `maxBytes` of the object (all of it when smaller), pinned to `etag`: one ranged GET,
 * so a multi-GiB archive is not sent to check its start (a GET of the whole object, cut off once
 * enough arrived, would have a real link carry a window's worth more and lose the connection).
 */
async function readArchiveHead(store, location, etag, size, maxBytes = ARCHIVE_HEAD_BYTES) {
    // A range of an empty object is unsatisfiable (416): there is nothing to read.
    if (size === 0)
        return Buffer.alloc(0);
    const wanted = Math.min(size, maxBytes);
    const { body } = await store.readRange(location, { ifMatch: etag, first: 0, last: wanted - 1 });
    const chunks = [];
    let length = 0;
    try {
        // Stops at `wanted` even if a server ignores the range and sends the whole archive.
        for await (const chunk of body) {
            chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
            length += chunks.at(-1).length;
            if (length >= wanted)
                break;
        }
    }
    finally {
        body.destroy();
    }
    return Buffer.concat(chunks, length).subarray(0, wanted);
}


/***/ }),

/***/ 4877:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   F: () => (/* binding */ isArchiveRoot),
/* harmony export */   Fs: () => (/* binding */ classifyEntry),
/* harmony export */   hR: () => (/* binding */ entryPathProblem),
/* harmony export */   zX: () => (/* binding */ EntryPaths)
/* harmony export */ });
/* unused harmony export relativeEntryPath */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3916);

const REGULAR_FILES = new Set(['File', 'OldFile', 'ContiguousFile']);
const LINKS = new Set(['SymbolicLink', 'Link']);
/**
 * What to do with one archive entry. Entries that could write outside the staging prefix, or
 * that the staging cannot represent, reject the whole archive: an archive that carries them was
 * not produced by the model export and must not be staged.
 */
function classifyEntry(header) {
    // `tar -C dir .` writes the root itself first, as `./`: harmless, and it has no relative path.
    if (header.type === 'Directory' && isArchiveRoot(header.path))
        return { action: 'ignore' };
    const path = relativeEntryPath(header.path);
    if (LINKS.has(header.type)) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ValidationError */ .yI(`The archive entry "${header.path}" is a ${header.type === 'Link' ? 'hard link' : 'symbolic link'} ` +
            `(to "${header.linkpath ?? ''}"); model archives must hold regular files only.`);
    }
    if (header.type === 'Directory')
        return { action: 'ignore' };
    if (!REGULAR_FILES.has(header.type)) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ValidationError */ .yI(`The archive entry "${header.path}" is a ${header.type}, not a regular file.`);
    }
    return path.endsWith('.riva') ? { action: 'stage', path } : { action: 'skip', path };
}
/** The entry's path relative to the archive root, or a ValidationError naming the entry. */
function relativeEntryPath(rawPath) {
    const problem = entryPathProblem(rawPath);
    if (problem !== undefined)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ValidationError */ .yI(`The archive entry ${JSON.stringify(rawPath)} ${problem}.`);
    return segmentsOf(rawPath).join('/');
}
/**
 * Why an entry path cannot be staged, as the rest of a sentence about the entry ("has an
 * absolute path; …"), or undefined when it can. The one definition of a sane entry name, for the
 * full read and for the check of an archive's first entry alike.
 */
function entryPathProblem(rawPath) {
    if (rawPath.startsWith('/') || rawPath.startsWith('\\') || /^[A-Za-z]:/.test(rawPath)) {
        return 'has an absolute path; entries must be relative';
    }
    // Control characters and backslashes cannot be written to a sha256sum checksums file as-is,
    // and a backslash is a separator on some systems that later read the staging.
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    if (/[\u0000-\u001f\u007f\\]/.test(rawPath))
        return 'has control characters or a backslash in its path';
    const segments = segmentsOf(rawPath);
    if (segments.includes('..'))
        return 'climbs out of the archive with ".."';
    if (segments.length === 0)
        return 'has an empty path';
    return undefined;
}
/** `./`, `.`: the archive's root directory, which names no path of its own. */
function isArchiveRoot(rawPath) {
    return rawPath.startsWith('.') && segmentsOf(rawPath).length === 0;
}
function segmentsOf(rawPath) {
    return rawPath.split('/').filter((segment) => segment !== '' && segment !== '.');
}
/**
 * The files of one archive by the path they stage under, so that a second entry for the same
 * path rejects the archive: it would silently replace the first under the same key (as tar
 * extraction would), and which of the two a reader gets would depend on upload order.
 */
class EntryPaths {
    /** Normalised path → the entry's path as the archive spells it. */
    #entryNames = new Map();
    /** Records the entry `rawPath` under its normalised `path`, or throws a ValidationError naming both entries. */
    claim(rawPath, path) {
        const earlier = this.#entryNames.get(path);
        if (earlier === undefined) {
            this.#entryNames.set(path, rawPath);
            return;
        }
        const entries = earlier === rawPath
            ? `entry ${JSON.stringify(rawPath)} appears twice`
            : `entries ${JSON.stringify(earlier)} and ${JSON.stringify(rawPath)} both name ${path}`;
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ValidationError */ .yI(`The archive ${entries}; archive entries must be unique, or one would replace the other.`);
    }
}


/***/ }),

/***/ 7768:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   j: () => (/* binding */ Semaphore)
/* harmony export */ });
/** At most `limit` holders at once; `acquire` waits for a free slot. */
class Semaphore {
    #waiting = [];
    #free;
    constructor(limit) {
        this.#free = limit;
    }
    async acquire() {
        if (this.#free > 0) {
            this.#free -= 1;
        }
        else {
            await new Promise((resolve) => this.#waiting.push(resolve));
        }
        let released = false;
        return () => {
            if (released)
                return;
            released = true;
            const next = this.#waiting.shift();
            if (next)
                next();
            else
                this.#free += 1;
        };
    }
}


/***/ }),

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


/***/ }),

/***/ 1233:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   legacyStagingWarning: () => (/* binding */ legacyStagingWarning),
/* harmony export */   mismatchReport: () => (/* binding */ mismatchReport),
/* harmony export */   verificationOutputs: () => (/* binding */ verificationOutputs),
/* harmony export */   verifyDeployment: () => (/* binding */ verifyDeployment),
/* harmony export */   verifyOperation: () => (/* binding */ verifyOperation)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(3916);
/* harmony import */ var _layout_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5005);
/* harmony import */ var _marker_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(5033);
/* harmony import */ var _archive_archive_head_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2243);
/* harmony import */ var _s3_object_hash_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(80);
/* harmony import */ var _limit_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(7768);
/* harmony import */ var _s3_uri_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(5100);
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(6264);
/* harmony import */ var _transfer_progress_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(3854);
/* harmony import */ var _stored_documents_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(2516);










/** `verify` as an operation: the check in its phase, the verdict in the state file. */
const verifyOperation = {
    stateFile: (config) => ({
        name: `verify-${'metadata' in config.target ? 'metadata' : `${config.target.environment}-${config.target.modelName}-${config.target.modelVersion}`}`,
        fields: {},
    }),
    async run(config, deps) {
        const result = await deps.state.phase('verify', () => verifyDeployment(config, deps.store, deps.log, { maxAttempts: config.connection.maxAttempts, progress: deps.progress }));
        deps.state.record({ status: result.mismatches.length === 0 ? 'verified' : 'failed', mismatches: result.mismatches });
        return result;
    },
    outputs: verificationOutputs,
    failure: (result) => (result.mismatches.length === 0 ? undefined : mismatchReport(result)),
    warnings: (result) => result.warnings,
};
/** The outputs of `verify`, named as the staging modes name theirs. */
function verificationOutputs(result) {
    const { metadata } = result;
    return {
        'deployment-json-uri': (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_4__/* .formatS3Uri */ .EO)(result.layout.metadata),
        'marker-uri': (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_4__/* .formatS3Uri */ .EO)(result.layout.marker),
        'artifact-id': metadata?.artifact_id ?? '',
        mode: 'verify',
        status: result.mismatches.length === 0 ? 'verified' : 'failed',
        'source-uri': metadata?.source.uri ?? '',
        'source-size-bytes': metadata ? String(metadata.source.size_bytes) : '',
        'source-sha256': metadata?.source.sha256 ?? '',
    };
}
/** The failure message: every mismatch, expected vs found. */
function mismatchReport(result) {
    return [
        `${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_4__/* .formatS3Uri */ .EO)(result.layout.metadata)} does not verify:`,
        ...result.mismatches.map((mismatch) => `- ${mismatch.what} ${mismatch.uri}: expected ${mismatch.expected}, found ${mismatch.found}`),
    ].join('\n');
}
/**
 * Re-checks a staged deployment and writes nothing: the marker is there and vouches for the
 * metadata document; the document is valid and describes the staging asked for, at its own
 * place; every object it references or pins has the recorded size and ETag (and checksum where
 * S3 holds one); the checksums file agrees; with `deep`, the archive's head is a gzip'd tar
 * and every object with a recorded SHA-256 is re-hashed with parallel ranged GETs, except a full
 * staging's original archive, which its re-hashed copy stands in for (see copyStandingInFor).
 */
async function verifyDeployment(config, store, log, options) {
    const located = await locate(config, store);
    const checked = [];
    const mismatches = [];
    const warnings = [];
    const rehashes = [];
    const check = (what, location, expected, found) => {
        const uri = (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_4__/* .formatS3Uri */ .EO)(location);
        if (expected === found)
            checked.push({ what, uri, found });
        else
            mismatches.push({ what, uri, expected, found });
    };
    const unmarked = options.unmarkedMetadataSha256;
    const result = (layout, metadata, metadataSha256) => ({
        operation: 'verify',
        layout,
        metadata,
        metadataSha256,
        checked,
        mismatches,
        deep: config.deep,
        rehashed: rehashes.length,
        warnings,
    });
    const marker = unmarked === undefined ? await (0,_stored_documents_js__WEBPACK_IMPORTED_MODULE_7__/* .readMarker */ .t7)(located, store) : undefined;
    if (marker !== undefined) {
        const found = { absent: 'missing', foreign: 'not a riva-130-stage marker', ours: 'present, written by riva-130-stage' }[marker.state];
        check('completion marker', located.marker, 'present, written by riva-130-stage', found);
    }
    const stored = await (0,_stored_documents_js__WEBPACK_IMPORTED_MODULE_7__/* .findMetadata */ .jU)(located.metadata, store);
    if (stored.state === 'absent') {
        check('metadata document', located.metadata, 'present', 'missing');
        return result(located, undefined, undefined);
    }
    const metadataSha256 = (0,_marker_js__WEBPACK_IMPORTED_MODULE_1__/* .sha256Hex */ .fg)(stored.text);
    if (marker?.state === 'ours')
        check('metadata document (as the marker records it)', located.metadata, `sha256 ${marker.record.metadataSha256}`, `sha256 ${metadataSha256}`);
    if (unmarked !== undefined)
        check('metadata document (as this run wrote it)', located.metadata, `sha256 ${unmarked}`, `sha256 ${metadataSha256}`);
    if (stored.state === 'invalid') {
        check('metadata schema', located.metadata, 'valid', stored.problem);
        return result(located, undefined, metadataSha256);
    }
    const { metadata } = stored;
    check('metadata schema', located.metadata, 'valid', 'valid');
    for (const [what, expected, found] of identityChecks(config.target, located, metadata))
        check(what, located.metadata, expected, found);
    const layout = (0,_layout_js__WEBPACK_IMPORTED_MODULE_0__/* .layoutOfStaging */ .V1)(located, metadata);
    if (metadata.schema_version === 1)
        warnings.push(legacyStagingWarning(layout));
    const present = [];
    await Promise.all(referencedObjects(metadata, layout).map(async (object) => {
        const location = (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_4__/* .parseS3Uri */ .yc)(object.uri);
        const info = await store.head(location, `the ${object.what}`);
        if (info === undefined) {
            check(object.what, location, 'present', 'missing');
            return;
        }
        const recorded = `${object.size} bytes${object.etag === undefined ? '' : `, ETag ${object.etag}`}`;
        const found = `${info.size} bytes${object.etag === undefined ? '' : `, ETag ${info.etag}`}`;
        check(object.what, location, recorded, found);
        if (object.sha256 && info.sha256)
            check(`${object.what} (S3 checksum)`, location, `sha256 ${object.sha256}`, `sha256 ${info.sha256}`);
        present.push({ object, location, info, asRecorded: recorded === found });
    }));
    if (config.deep) {
        const source = present.find(({ object }) => object.what === 'source archive');
        const copy = copyStandingInFor(source, present);
        if (copy !== undefined) {
            log(`${source.object.uri} is checked by its size and ETag: its copy ${copy.object.uri} holds the same bytes, and is re-hashed.`);
        }
        // The archive's head, from its copy when there is one: the same bytes, and the original is then not read at all.
        const headOf = copy ?? source;
        if (headOf !== undefined) {
            const problem = (0,_archive_archive_head_js__WEBPACK_IMPORTED_MODULE_2__/* .archiveHeadProblem */ .s2)(await (0,_archive_archive_head_js__WEBPACK_IMPORTED_MODULE_2__/* .readArchiveHead */ .HC)(store, headOf.location, headOf.info.etag, headOf.info.size), headOf.info.size);
            check(`${headOf.object.what} (head)`, headOf.location, "a gzip'd tar", problem ?? "a gzip'd tar");
        }
        rehashes.push(...present.filter((entry) => entry.asRecorded && entry.object.sha256 && !(copy !== undefined && entry === source)));
    }
    // Re-hashed once every size is known, so one progress line covers all of them.
    const progress = _transfer_progress_js__WEBPACK_IMPORTED_MODULE_6__/* .TransferProgress */ .v5.on(options.progress ?? NO_PROGRESS, `Re-hashing ${(0,_format_js__WEBPACK_IMPORTED_MODULE_5__/* .countOf */ .pq)(rehashes.length, 'object')}`, rehashes.reduce((sum, { info }) => sum + info.size, 0));
    // One pool of parts for every object, so memory stays bounded however many are re-hashed at once.
    const slots = new _limit_js__WEBPACK_IMPORTED_MODULE_8__/* .Semaphore */ .j(_s3_object_hash_js__WEBPACK_IMPORTED_MODULE_3__/* .HASH_PARTS_IN_FLIGHT */ .hw);
    await Promise.all(rehashes.map(async ({ object, location, info }) => {
        log(`Re-hashing ${object.uri} …`);
        const sha256 = await (0,_s3_object_hash_js__WEBPACK_IMPORTED_MODULE_3__/* .hashObjectInParts */ .Dj)(store, { location, uri: object.uri, etag: info.etag, versionId: undefined, what: `the ${object.what}`, sizeBytes: info.size }, { slots, partSize: _s3_object_hash_js__WEBPACK_IMPORTED_MODULE_3__/* .HASH_PART_SIZE */ .JQ, maxAttempts: options.maxAttempts, onBytes: (bytes) => progress.add(bytes) });
        check(`${object.what} (re-hashed)`, location, `sha256 ${object.sha256}`, `sha256 ${sha256}`);
    }));
    if (rehashes.length > 0)
        progress.showNow();
    if (layout.mode === 'full')
        await checkChecksumsFile(layout, metadata, store, check);
    return result(layout, metadata, metadataSha256);
}
/**
 * A full staging's copy of the archive, when it can stand in for the original in a deep check:
 * both are as recorded, the original pinned by its ETag (so its bytes are the ones hashed when it
 * was staged), and the copy recorded with the same SHA-256 (so re-hashing the copy re-checks
 * those bytes). The original is then not read again: each distinct byte of the staging once.
 */
function copyStandingInFor(source, present) {
    if (source === undefined || !source.asRecorded || source.object.etag === undefined || !source.object.sha256)
        return undefined;
    return present.find(({ object, asRecorded }) => object.what === 'archive copy' && asRecorded && object.sha256 === source.object.sha256);
}
/** Every object the metadata refers to or pins, with what it records of each. */
function referencedObjects(metadata, layout) {
    const { source } = metadata;
    const archives = [
        { what: 'source archive', uri: source.uri, size: source.size_bytes, etag: source.etag, sha256: source.sha256 },
        ...metadata.containers.map((container) => ({ what: 'container archive', uri: container.uri, size: container.size_bytes, etag: container.etag, sha256: null })),
    ];
    if (metadata.schema_version === 2) {
        const copy = metadata.source_copy;
        return [
            ...archives,
            ...(copy === null ? [] : [{ what: 'archive copy', uri: copy.uri, size: copy.size_bytes, etag: copy.etag, sha256: copy.sha256 }]),
            ...metadata.files.map((file) => ({ what: `staged file ${file.path}`, uri: file.uri, size: file.size_bytes, etag: file.etag, sha256: file.sha256 })),
        ];
    }
    // Schema version 1 pinned nothing: sizes (and hashes, when deep) are all there is to check.
    return [
        ...archives,
        ...(layout.mode === 'full'
            ? [{ what: 'archive copy', uri: (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_4__/* .formatS3Uri */ .EO)(layout.sourceCopy), size: source.size_bytes, etag: undefined, sha256: source.sha256 }]
            : []),
        ...metadata.files.map((file) => ({ what: `staged file ${file.path}`, uri: file.uri, size: file.size_bytes, etag: undefined, sha256: file.sha256 })),
    ];
}
/**
 * The document found must be the one asked for: a metadata document copied to another
 * version's place (with a marker to match) must not verify as that version.
 */
function identityChecks(target, located, metadata) {
    const checks = [['metadata document (its own metadata_uri)', (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_4__/* .formatS3Uri */ .EO)(located.metadata), metadata.deployment.metadata_uri]];
    if (!('metadata' in target)) {
        checks.push(['metadata document (environment)', target.environment, metadata.deployment.environment], ['metadata document (model name)', target.modelName, metadata.model.name], ['metadata document (model version)', target.modelVersion, metadata.model.version]);
    }
    return checks;
}
/** Said of a staging written before objects were pinned, wherever one is accepted. */
function legacyStagingWarning(layout) {
    return (`${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_4__/* .formatS3Uri */ .EO)(layout.metadata)} was written by an earlier version (metadata schema_version 1): its files were checked ` +
        'by size only. Re-stage it with `force` to pin every object to its ETag.');
}
const NO_PROGRESS = { intervalMs: Infinity, show: () => { } };
/** Where the document to check is: given, or found in either layout. */
async function locate(config, store) {
    const { target } = config;
    if ('metadata' in target) {
        const layout = (0,_layout_js__WEBPACK_IMPORTED_MODULE_0__/* .layoutOfMetadata */ .PQ)(target.metadata);
        if (layout === undefined) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_9__/* .ConfigurationError */ .j1(`\`deployment-json-uri\` (RIVA_DEPLOYMENT_JSON_URI) must name a ${_layout_js__WEBPACK_IMPORTED_MODULE_0__/* .METADATA_DOCUMENT_NAMES */ .tr.join(' or ')}; got ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_4__/* .formatS3Uri */ .EO)(target.metadata)}.`);
        }
        return layout;
    }
    const candidates = (0,_layout_js__WEBPACK_IMPORTED_MODULE_0__/* .candidateLayouts */ .fN)(target.bucket, target, (0,_layout_js__WEBPACK_IMPORTED_MODULE_0__/* .bintarballRootOrDefault */ .Uu)(target.bintarballKey));
    const found = (await Promise.all(candidates.map(async (candidate) => {
        const [marker, metadata] = await Promise.all([
            store.head(candidate.marker, 'the completion marker'),
            store.head(candidate.metadata, 'the metadata document'),
        ]);
        return marker || metadata ? [candidate] : [];
    }))).flat();
    const [only, other] = found;
    if (only !== undefined && other === undefined)
        return only;
    if (only !== undefined) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_9__/* .ConfigurationError */ .j1(`${target.modelName} ${target.modelVersion} for ${target.environment} is staged in both layouts: ` +
            `${found.map((candidate) => (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_4__/* .formatS3Uri */ .EO)(candidate.metadata)).join(' and ')}. ` +
            'Give `deployment-json-uri` (RIVA_DEPLOYMENT_JSON_URI) to say which one to check.');
    }
    throw new _errors_js__WEBPACK_IMPORTED_MODULE_9__/* .NotFoundError */ .m_(`No staging of ${target.modelName} ${target.modelVersion} for ${target.environment} at ` +
        `${candidates.map((candidate) => (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_4__/* .formatS3Uri */ .EO)(candidate.metadata)).join(' or ')}. ` +
        'Check model-name, model-version and environment, or give `deployment-json-uri`.');
}
/** checksums.sha256 lists exactly the archive copy and the staged files, with their recorded hashes. */
async function checkChecksumsFile(layout, metadata, store, check) {
    const location = layout.checksums;
    if ((await store.head(location, 'the checksums file')) === undefined) {
        check('checksums file', location, 'present', 'missing');
        return;
    }
    const listed = new Map((await store.getText(location, 'the checksums file'))
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
        const [hash = '', ...path] = line.split('  ');
        return [path.join('  '), hash];
    }));
    const expected = new Map([
        [(0,_layout_js__WEBPACK_IMPORTED_MODULE_0__/* .relativeToPrefix */ .UN)(layout, layout.sourceCopy), metadata.source.sha256 ?? ''],
        ...metadata.files.map((file) => [file.path, file.sha256]),
    ]);
    for (const path of new Set([...expected.keys(), ...listed.keys()])) {
        check(`checksums file entry ${path}`, location, expected.get(path) ?? 'not listed', listed.get(path) ?? 'not listed');
    }
}


/***/ }),

/***/ 7454:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   EY: () => (/* binding */ backoffDelay),
/* harmony export */   dg: () => (/* binding */ isTransient),
/* harmony export */   yy: () => (/* binding */ sleep)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1863);

const BASE_DELAY_MS = 200;
const MAX_DELAY_MS = 20_000;
/** Exponential backoff with full jitter: a random wait in [0, min(cap, base·2^attempt)). */
function backoffDelay(attempt, random = Math.random) {
    return Math.floor(random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt));
}
function sleep(milliseconds, signal) {
    return new Promise((resolve, reject) => {
        if (signal?.aborted) {
            reject(signal.reason);
            return;
        }
        const timer = setTimeout(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
        }, milliseconds);
        const onAbort = () => {
            clearTimeout(timer);
            reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
    });
}
const TRANSIENT_CODES = new Set([
    'ECONNRESET',
    'ECONNREFUSED',
    'EPIPE',
    'ETIMEDOUT',
    'EAI_AGAIN',
    'ERR_STREAM_PREMATURE_CLOSE',
    'UND_ERR_SOCKET',
    'TimeoutError',
    'RequestTimeout',
    'RequestTimeTooSkewed',
    'SlowDown',
    'Throttling',
    'ThrottlingException',
    'InternalError',
    'ServiceUnavailable',
]);
/** Throttling, server errors and broken connections: worth another attempt. */
function isTransient(error) {
    const status = (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .httpStatusOf */ .s_)(error);
    if (status !== undefined && (status >= 500 || status === 429))
        return true;
    const code = (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorCodeOf */ .D9)(error);
    return TRANSIENT_CODES.has(code) || (error instanceof Error && error.message === 'aborted');
}


/***/ }),

/***/ 80:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Dj: () => (/* binding */ hashObjectInParts),
/* harmony export */   JQ: () => (/* binding */ HASH_PART_SIZE),
/* harmony export */   hw: () => (/* binding */ HASH_PARTS_IN_FLIGHT),
/* harmony export */   wM: () => (/* binding */ hashObject)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _pinned_parts_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8525);
/* harmony import */ var _resumable_download_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2519);

// The parallel, pinned ranged GETs fetch downloads with; hashing needs the same, minus the disk.


/**
 * The SHA-256 of an object, streamed (nothing touches the disk) and resumed where a connection
 * breaks. S3 keeps a full-object SHA-256 only for single-part uploads, so a multi-GB archive is
 * almost always hashed this way.
 */
async function hashObject(store, location, options) {
    const hash = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256');
    for await (const chunk of (0,_resumable_download_js__WEBPACK_IMPORTED_MODULE_2__/* .resumableDownload */ .x)(store, location, options))
        hash.update(chunk);
    return hash.digest('hex');
}
/** Bytes per ranged GET when hashing in parts: request overhead vanishes, a retry stays cheap. */
const HASH_PART_SIZE = 8 * 1024 * 1024;
/** Parts in flight and not yet hashed, across every object hashed at once: memory stays at this many parts. */
const HASH_PARTS_IN_FLIGHT = 8;
/**
 * The SHA-256 of a pinned object read with parallel ranged GETs, each pinned by `If-Match` to
 * the recorded ETag (and version), hashed in order as the parts land. One connection seldom
 * fills a link; several do, while memory stays at the shared slots times the part size. A part
 * whose connection breaks is fetched again; a changed object fails at once.
 */
async function hashObjectInParts(store, object, options) {
    const hash = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256');
    await (0,_pinned_parts_js__WEBPACK_IMPORTED_MODULE_1__/* .fetchParts */ .ZR)(store, object, (0,_pinned_parts_js__WEBPACK_IMPORTED_MODULE_1__/* .partsFrom */ .$p)(0, object.sizeBytes, options.partSize), { slots: options.slots, maxAttempts: options.maxAttempts, onBytes: options.onBytes ?? (() => { }) }, async (_part, bytes) => {
        hash.update(bytes);
    });
    return hash.digest('hex');
}


/***/ }),

/***/ 8525:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $p: () => (/* binding */ partsFrom),
/* harmony export */   ZR: () => (/* binding */ fetchParts)
/* harmony export */ });
/* unused harmony export PinnedObjectChangedError */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3916);
/* harmony import */ var _backoff_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7454);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1863);



/** The parts of the bytes from `offset` to `size`, each at most `partSize` long. */
function partsFrom(offset, size, partSize) {
    const parts = [];
    for (let first = offset; first < size; first += partSize)
        parts.push({ first, last: Math.min(first + partSize, size) - 1 });
    return parts;
}
/** The object is not the one the metadata pins: changed since staging, or gone. */
class PinnedObjectChangedError extends _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ValidationError */ .yI {
}
/**
 * Fetches `parts` in parallel (as many as the shared slots allow) and hands each to `write` in
 * order. A launcher takes a slot per part in order and a writer releases it once the part is
 * written, so the part a writer waits for has always been started: no deadlock across downloads.
 * The first failure (a part's or the writer's) is the answer, and stops every GET still in flight
 * at once, a silent one too: nothing waits for the parts before the failed one to land.
 */
async function fetchParts(store, download, parts, settings, write) {
    const stop = new AbortController();
    let failure;
    const fail = (error) => {
        failure ??= { error };
        stop.abort(error);
    };
    const landed = parts.map(() => deferred());
    const taken = deferred();
    taken.resolve(Buffer.alloc(0));
    const releases = [];
    const launcher = (async () => {
        for (const [index, part] of parts.entries()) {
            const release = await settings.slots.acquire();
            releases.push(release);
            if (stop.signal.aborted)
                return;
            fetchPart(store, download, part, stop.signal, settings).then(landed[index].resolve, (error) => {
                fail(error);
                landed[index].reject(error);
            });
        }
    })();
    try {
        for (const [index, part] of parts.entries()) {
            const bytes = await landed[index].promise;
            // A settled promise holds on to its value: without letting go of each part once it is taken,
            // every part of the object would stay in memory until the last one is written.
            landed[index] = taken;
            await write(part, bytes);
            releases[index]?.();
        }
    }
    catch (error) {
        fail(error);
        // The parts stopped by the failure fail with the abort; the failure itself is the answer.
        throw failure.error;
    }
    finally {
        // Parts still in flight end at the abort; their slots go back to the other downloads.
        await Promise.allSettled(landed.slice(0, releases.length).map((part) => part.promise));
        for (const release of releases)
            release();
        await launcher;
        for (const release of releases)
            release();
    }
}
/** One part, retried on a broken connection or a transient answer; a changed object is never retried. */
async function fetchPart(store, download, part, stop, settings) {
    const expected = part.last - part.first + 1;
    for (let attempt = 1;; attempt += 1) {
        try {
            // The store adds the run's own signal: a cancelled run, or one past its deadline, stops this GET too.
            const answer = await store.readRange(download.location, { ifMatch: download.etag, versionId: download.versionId, ...part }, stop);
            if (answer.etag !== '' && answer.etag !== download.etag) {
                answer.body.destroy();
                throw changed(download, `its ETag is ${answer.etag}, the metadata records ${download.etag}`);
            }
            const chunks = [];
            let received = 0;
            for await (const chunk of answer.body) {
                if (stop.aborted) {
                    answer.body.destroy();
                    throw new Error('The read stopped: another part failed.');
                }
                const buffer = chunk;
                chunks.push(buffer);
                received += buffer.length;
                settings.onBytes(buffer.length);
            }
            if (received > expected)
                throw changed(download, `bytes ${part.first}-${part.last} came back as ${received} bytes`);
            if (received < expected) {
                settings.onBytes(-received);
                throw Object.assign(new Error(`the response ended after ${received} of ${expected} bytes`), { code: 'ECONNRESET' });
            }
            return Buffer.concat(chunks, received);
        }
        catch (error) {
            if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ValidationError */ .yI || stop.aborted)
                throw error;
            if (store.signal?.aborted)
                throw store.describeError(error, `download ${download.what}`, download.location);
            const status = (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .httpStatusOf */ .s_)(error);
            if (status === 412 || (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .errorCodeOf */ .D9)(error) === 'PreconditionFailed') {
                throw changed(download, `it no longer has the ETag ${download.etag} the metadata records`);
            }
            if (status === 404)
                throw changed(download, download.versionId === undefined ? 'it is missing' : `its version ${download.versionId} is missing`);
            if (!(0,_backoff_js__WEBPACK_IMPORTED_MODULE_0__/* .isTransient */ .dg)(error) || attempt >= settings.maxAttempts) {
                throw store.describeError(error, `download ${download.what} (bytes ${part.first}-${part.last}, attempt ${attempt})`, download.location);
            }
            store.retries?.record({ operation: `GetObject ${download.what} bytes ${part.first}-${part.last}`, attempt: attempt + 1, reason: (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .errorCodeOf */ .D9)(error) });
            await (0,_backoff_js__WEBPACK_IMPORTED_MODULE_0__/* .sleep */ .yy)((0,_backoff_js__WEBPACK_IMPORTED_MODULE_0__/* .backoffDelay */ .EY)(attempt), store.signal === undefined ? stop : AbortSignal.any([stop, store.signal]));
        }
    }
}
function changed(download, why) {
    return new PinnedObjectChangedError(`${download.uri} (${download.what}) is not the object the metadata pins: ${why}. ` +
        'It was changed after it was staged; re-stage (or verify) before deploying it.');
}
function deferred() {
    let resolve = () => { };
    let reject = () => { };
    const promise = new Promise((res, rej) => {
        resolve = res;
        reject = rej;
    });
    // Awaited in order by the writer; one that fails after the writer has stopped must not go unhandled.
    promise.catch(() => { });
    return { promise, resolve, reject };
}


/***/ }),

/***/ 2519:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   x: () => (/* binding */ resumableDownload)
/* harmony export */ });
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(3916);
/* harmony import */ var _backoff_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7454);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1863);




/**
 * The object's bytes as one stream. When the connection breaks, the download resumes from the
 * byte it reached (`Range: bytes=N-`, `If-Match: <etag>`) after a backoff, instead of starting
 * over, up to `maxAttempts` consecutive failures.
 */
function resumableDownload(store, location, options) {
    return node_stream__WEBPACK_IMPORTED_MODULE_0__.Readable.from(downloadChunks(store, location, options), { objectMode: false, highWaterMark: 1024 * 1024 });
}
async function* downloadChunks(store, location, options) {
    let offset = 0;
    let failures = 0;
    while (offset < options.sizeBytes) {
        let body;
        // An error thrown in at the yield is the consumer's (the stream destroyed with it), not the download's.
        let yielding = false;
        try {
            body = await store.openRead(location, { ifMatch: options.etag, offset });
            for await (const chunk of body) {
                const buffer = chunk;
                offset += buffer.length;
                failures = 0;
                options.onBytes?.(buffer.length);
                yielding = true;
                yield buffer;
                yielding = false;
            }
            if (offset < options.sizeBytes) {
                throw Object.assign(new Error(`the response ended at byte ${offset} of ${options.sizeBytes}`), { code: 'ECONNRESET' });
            }
            if (offset > options.sizeBytes) {
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ValidationError */ .yI(`${options.what} grew while it was read (${offset} bytes, expected ${options.sizeBytes}).`);
            }
        }
        catch (error) {
            if (yielding || error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ValidationError */ .yI)
                throw error;
            // The run was cancelled or its deadline passed: not a broken connection to resume.
            if (store.signal?.aborted)
                throw store.describeError(error, `download ${options.what}`, location);
            if ((0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .httpStatusOf */ .s_)(error) === 412 || (0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorCodeOf */ .D9)(error) === 'PreconditionFailed') {
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ValidationError */ .yI(`${options.what} changed while it was read (its ETag is no longer ${options.etag}). Re-run to stage the new object.`);
            }
            failures += 1;
            if (!(0,_backoff_js__WEBPACK_IMPORTED_MODULE_1__/* .isTransient */ .dg)(error) || failures >= options.maxAttempts) {
                throw store.describeError(error, `download ${options.what} (at byte ${offset}, attempt ${failures})`, location);
            }
            const delay = (0,_backoff_js__WEBPACK_IMPORTED_MODULE_1__/* .backoffDelay */ .EY)(failures);
            store.retries?.record({ operation: `GetObject ${options.what} from byte ${offset}`, attempt: failures + 1, reason: (0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorCodeOf */ .D9)(error) });
            options.log?.(`Download of ${options.what} interrupted at byte ${offset} (${(0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorCodeOf */ .D9)(error)}); resuming in ${delay} ms ` +
                `(attempt ${failures + 1} of ${options.maxAttempts}).`);
            await (0,_backoff_js__WEBPACK_IMPORTED_MODULE_1__/* .sleep */ .yy)(delay, store.signal);
        }
        finally {
            body?.destroy();
        }
    }
}


/***/ }),

/***/ 3854:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   v5: () => (/* binding */ TransferProgress)
/* harmony export */ });
/* unused harmony exports progressFields, describeProgress */
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6264);

const MIB = 1024 * 1024;
/** The parts of a progress line, each of which a narrow display may leave out. */
function progressFields(snapshot) {
    const percent = snapshot.totalBytes > 0 ? (100 * snapshot.bytes) / snapshot.totalBytes : 100;
    return {
        percent: `${Math.min(percent, 100).toFixed(1)}%`,
        bytes: `(${(0,_format_js__WEBPACK_IMPORTED_MODULE_0__/* .formatBytes */ .z3)(snapshot.bytes)} of ${(0,_format_js__WEBPACK_IMPORTED_MODULE_0__/* .formatBytes */ .z3)(snapshot.totalBytes)})`,
        rate: `${(snapshot.bytesPerSecond / MIB).toFixed(1)} MiB/s`,
        eta: `ETA ${snapshot.etaSeconds === undefined ? 'unknown' : `${snapshot.etaSeconds} s`}`,
    };
}
/** e.g. `Reading archive: 42.0% (1.55 GiB of 3.71 GiB), 85.3 MiB/s, ETA 26 s` */
function describeProgress(snapshot) {
    const fields = progressFields(snapshot);
    return `${snapshot.label}: ${fields.percent} ${fields.bytes}, ${fields.rate}, ${fields.eta}`;
}
/**
 * Progress of a byte transfer (percent, MiB/s, ETA), shown at most once per interval so a
 * multi-GB transfer does not flood the log.
 */
class TransferProgress {
    #label;
    #totalBytes;
    #show;
    #now;
    #intervalMs;
    #startedAt;
    #lastShownAt;
    #bytes = 0;
    constructor(label, totalBytes, show, now = Date.now, intervalMs = 5000) {
        this.#label = label;
        this.#totalBytes = totalBytes;
        this.#show = show;
        this.#now = now;
        this.#intervalMs = intervalMs;
        this.#startedAt = now();
        this.#lastShownAt = this.#startedAt;
    }
    /** Shown on `display`, as often as it asks. */
    static on(display, label, totalBytes) {
        return new TransferProgress(label, totalBytes, (line, snapshot) => display.show(line, snapshot), Date.now, display.intervalMs);
    }
    get bytes() {
        return this.#bytes;
    }
    add(bytes) {
        this.#bytes += bytes;
        const now = this.#now();
        if (now - this.#lastShownAt >= this.#intervalMs) {
            this.#lastShownAt = now;
            this.#show(this.describe(now), this.snapshot(now));
        }
    }
    /** Shows the progress as it stands, whatever the interval (the last line, at the end). */
    showNow() {
        const now = this.#now();
        this.#lastShownAt = now;
        this.#show(this.describe(now), this.snapshot(now));
    }
    snapshot(now = this.#now()) {
        const elapsedSeconds = Math.max((now - this.#startedAt) / 1000, 0.001);
        const bytesPerSecond = this.#bytes / elapsedSeconds;
        const remaining = Math.max(this.#totalBytes - this.#bytes, 0);
        return {
            label: this.#label,
            bytes: this.#bytes,
            totalBytes: this.#totalBytes,
            bytesPerSecond,
            etaSeconds: bytesPerSecond > 0 ? Math.ceil(remaining / bytesPerSecond) : undefined,
        };
    }
    /** e.g. `Reading archive: 42.0% (1.55 GiB of 3.71 GiB), 85.3 MiB/s, ETA 26 s` */
    describe(now = this.#now()) {
        return describeProgress(this.snapshot(now));
    }
}


/***/ })

};
