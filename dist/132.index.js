export const id = 132;
export const ids = [132];
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
