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

/***/ 3630:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   In: () => (/* binding */ parseMetadataDocument),
/* harmony export */   KP: () => (/* binding */ buildMetadata),
/* harmony export */   bP: () => (/* binding */ pinnedObjects),
/* harmony export */   pt: () => (/* binding */ MetadataSchema),
/* harmony export */   tO: () => (/* binding */ serialiseMetadata)
/* harmony export */ });
/* unused harmony exports githubRunFromEnv, metadataJsonSchema */
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(2857);
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(4377);
/* harmony import */ var _config_config_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5713);
/* harmony import */ var _s3_write_options_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1510);
/* harmony import */ var _s3_uri_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(5100);




/**
 * deployment.json / artifact.json: what step 131 reads to find and trust the staged model. The
 * one definition of the document; `schema/deployment-metadata.schema.json` is generated from it.
 */
const sha256Hex = zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256');
const s3Uri = zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().regex(/^s3:\/\/[^/]+\/.+/, 'an s3://bucket/key URI');
const timestamp = zod__WEBPACK_IMPORTED_MODULE_4__/* .datetime */ .w$();
const ReferencedObjectSchema = zod__WEBPACK_IMPORTED_MODULE_3__/* .object */ .Ikc({
    uri: s3Uri,
    size_bytes: zod__WEBPACK_IMPORTED_MODULE_3__/* .number */ .aig().int().nonnegative(),
    etag: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().describe('ETag as S3 reported it, without quotes'),
});
/** An object the staging consists of, pinned: what verify and promote hold it to. */
const PinnedObjectSchema = zod__WEBPACK_IMPORTED_MODULE_3__/* .object */ .Ikc({
    path: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().min(1).describe('Relative to the staging prefix, e.g. source/<archive>.tar.gz or models/…/x.riva'),
    uri: s3Uri,
    size_bytes: zod__WEBPACK_IMPORTED_MODULE_3__/* .number */ .aig().int().nonnegative(),
    etag: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().min(1).describe('ETag as the server reported it after the write, without quotes'),
    sha256: sha256Hex,
    version_id: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP()
        .min(1)
        .optional()
        .describe('The version the server reported after the write, when the bucket is versioned: fetch reads exactly that version'),
});
const MetadataFields = zod__WEBPACK_IMPORTED_MODULE_3__/* .object */ .Ikc({
    schema_version: zod__WEBPACK_IMPORTED_MODULE_3__/* .literal */ .euz(2),
    artifact_id: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().min(1),
    mode: zod__WEBPACK_IMPORTED_MODULE_3__/* ["enum"] */ .k5n(_config_config_js__WEBPACK_IMPORTED_MODULE_0__/* .MODES */ .FN),
    model: zod__WEBPACK_IMPORTED_MODULE_3__/* .object */ .Ikc({
        name: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().min(1),
        version: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().min(1),
        language_code: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().min(2),
        architecture: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().min(1),
    }),
    source: ReferencedObjectSchema.extend({
        last_modified: timestamp.nullable(),
        sha256: sha256Hex
            .nullable()
            .describe('Computed in full mode; in the reference modes S3\'s full-object SHA-256 when it holds one, else null'),
    }),
    containers: zod__WEBPACK_IMPORTED_MODULE_3__/* .array */ .YOg(ReferencedObjectSchema),
    source_copy: PinnedObjectSchema.nullable().describe("The archive's copy under source/ (full mode); null in the reference modes"),
    files: zod__WEBPACK_IMPORTED_MODULE_3__/* .array */ .YOg(PinnedObjectSchema).describe('Staged model files (full mode); empty in the reference modes'),
    deployment: zod__WEBPACK_IMPORTED_MODULE_3__/* .object */ .Ikc({
        environment: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().min(1),
        s3_bucket: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().min(3),
        metadata_uri: s3Uri,
        marker_uri: s3Uri,
    }),
    promoted_from: zod__WEBPACK_IMPORTED_MODULE_3__/* .object */ .Ikc({
        metadata_uri: s3Uri,
        environment: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().min(1),
        metadata_sha256: sha256Hex,
    })
        .optional()
        .describe('Set by promote: the staging this one was copied from, and the SHA-256 of its metadata document'),
    checksum_algorithm: zod__WEBPACK_IMPORTED_MODULE_3__/* ["enum"] */ .k5n(_s3_write_options_js__WEBPACK_IMPORTED_MODULE_1__/* .CHECKSUM_ALGORITHMS */ .P5)
        .optional()
        .describe('The checksum every uploaded body carried in transit (checksum-algorithm; MD5 is Content-MD5); kept by promote, which uploads nothing'),
    run: zod__WEBPACK_IMPORTED_MODULE_3__/* .object */ .Ikc({
        id: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().min(1),
        started_at: timestamp,
        finished_at: timestamp,
        tool_version: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP().min(1),
        github: zod__WEBPACK_IMPORTED_MODULE_3__/* .object */ .Ikc({
            repository: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP(),
            sha: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP(),
            run_id: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP(),
            run_attempt: zod__WEBPACK_IMPORTED_MODULE_3__/* .string */ .YjP(),
        })
            .nullable()
            .describe('The workflow run that staged it; null outside GitHub Actions'),
    }),
});
const MetadataSchema = MetadataFields.strict().meta({
    title: 'riva-130-stage deployment metadata',
    description: 'deployment.json (bintarball-reference) or artifact.json (reference-only, full)',
});
/**
 * Schema version 1, written before stagings pinned their objects: its files carry no ETag and
 * the archive copy is not listed. Still read, so that verify can check such a staging by size
 * and say that re-staging pins it.
 */
const LegacyMetadataSchema = MetadataFields.omit({ source_copy: true })
    .extend({
    schema_version: zod__WEBPACK_IMPORTED_MODULE_3__/* .literal */ .euz(1),
    files: zod__WEBPACK_IMPORTED_MODULE_3__/* .array */ .YOg(PinnedObjectSchema.omit({ etag: true })),
})
    .strict();
/** Builds the document and validates it against the schema, so an invalid one is never written. */
function buildMetadata(input) {
    const { config, layout } = input;
    return MetadataSchema.parse({
        schema_version: 2,
        artifact_id: config.artifactId,
        mode: config.mode,
        model: {
            name: config.modelName,
            version: config.modelVersion,
            language_code: config.languageCode,
            architecture: config.architecture,
        },
        source: {
            ...referenced(input.source),
            last_modified: input.source.info.lastModified,
            sha256: input.sourceSha256,
        },
        containers: input.containers.map(referenced),
        source_copy: input.sourceCopy === undefined ? null : pinned(input.sourceCopy),
        files: input.files.map(pinned),
        deployment: {
            environment: config.environment,
            s3_bucket: config.bucket,
            metadata_uri: (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_2__/* .formatS3Uri */ .EO)(layout.metadata),
            marker_uri: (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_2__/* .formatS3Uri */ .EO)(layout.marker),
        },
        checksum_algorithm: config.objectWrites.checksum,
        run: {
            id: input.run.id,
            started_at: input.run.startedAt.toISOString(),
            finished_at: input.run.finishedAt.toISOString(),
            tool_version: input.run.toolVersion,
            github: input.run.github,
        },
    });
}
/** The GitHub run the action executes in, from the runner's environment. */
function githubRunFromEnv(env) {
    if (env.GITHUB_ACTIONS !== 'true')
        return null;
    return {
        repository: env.GITHUB_REPOSITORY ?? '',
        sha: env.GITHUB_SHA ?? '',
        run_id: env.GITHUB_RUN_ID ?? '',
        run_attempt: env.GITHUB_RUN_ATTEMPT ?? '',
    };
}
/** The document as written to S3: stable key order, two-space indent, trailing newline. */
function serialiseMetadata(metadata) {
    return `${JSON.stringify(metadata, null, 2)}\n`;
}
/** A stored document read back: the metadata (in either schema version), or what is wrong with it. */
function parseMetadataDocument(text) {
    let json;
    try {
        json = JSON.parse(text);
    }
    catch {
        return { problem: 'is not valid JSON' };
    }
    const legacy = typeof json === 'object' && json !== null && 'schema_version' in json && json.schema_version === 1;
    const parsed = (legacy ? LegacyMetadataSchema : MetadataSchema).safeParse(json);
    if (parsed.success)
        return { metadata: parsed.data };
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    return { problem: `does not match the metadata schema: ${issues}` };
}
/** The published JSON Schema of the document. */
function metadataJsonSchema() {
    return z.toJSONSchema(MetadataSchema, { target: 'draft-2020-12' });
}
/**
 * Every object a staging consists of besides its documents, as its metadata pins them: the
 * archive copy and the staged files. A legacy document pins none (its entries lack an ETag).
 */
function pinnedObjects(metadata) {
    if (metadata.schema_version === 1)
        return [];
    return [...(metadata.source_copy === null ? [] : [metadata.source_copy]), ...metadata.files];
}
function pinned(file) {
    return {
        path: file.path,
        uri: (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_2__/* .formatS3Uri */ .EO)(file.location),
        size_bytes: file.sizeBytes,
        etag: file.etag,
        sha256: file.sha256,
        ...(file.versionId === undefined ? {} : { version_id: file.versionId }),
    };
}
function referenced(object) {
    return { uri: (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_2__/* .formatS3Uri */ .EO)(object.location), size_bytes: object.info.size, etag: object.info.etag };
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
/* harmony import */ var _metadata_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3630);
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

/***/ 4377:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   w$: () => (/* binding */ datetime)
/* harmony export */ });
/* unused harmony exports date, time, duration */
/* harmony import */ var _core_index_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3759);
/* harmony import */ var _schemas_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2857);



function datetime(params) {
    return _core_index_js__WEBPACK_IMPORTED_MODULE_0__/* ._isoDateTime */ .G1(_schemas_js__WEBPACK_IMPORTED_MODULE_1__/* .ZodISODateTime */ .You, params);
}
function date(params) {
    return core._isoDate(ZodISODate, params);
}
function time(params) {
    return core._isoTime(ZodISOTime, params);
}
function duration(params) {
    return core._isoDuration(ZodISODuration, params);
}


/***/ })

};
