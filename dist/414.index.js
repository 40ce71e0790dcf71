export const id = 414;
export const ids = [414];
export const modules = {

/***/ 414:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   ActionsCache: () => (/* binding */ ActionsCache)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _actions_cache__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1691);
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3838);
/* harmony import */ var _local_directory_cache_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(9344);




/**
 * The GitHub Actions cache service, through @actions/cache: an entry is the archive and its
 * sidecar, restored into (and saved from) a folder under RUNNER_TEMP.
 *
 * A committed entry is uploaded once the staging is done: the action starts the uploads after
 * the marker and the outputs. Saving (tar, compression, transfer: seconds per GiB) while the
 * staging still uploads its files would share the runner's uplink with them and delay the
 * marker, which later jobs wait for, by as long as the save takes (measured by `npm run bench`).
 */
class ActionsCache {
    description = 'GitHub Actions cache';
    uploads = new DeferredUploads();
    #staging;
    #directory;
    /** Undefined when the runner provides no cache service (self-hosted, local runs). */
    static available(runnerTemp) {
        return _actions_cache__WEBPACK_IMPORTED_MODULE_1__/* .isFeatureAvailable */ .w3() ? new ActionsCache((0,node_path__WEBPACK_IMPORTED_MODULE_0__.join)(runnerTemp, 'riva-130-stage-cache')) : undefined;
    }
    constructor(directory) {
        this.#directory = directory;
        this.#staging = new _local_directory_cache_js__WEBPACK_IMPORTED_MODULE_3__/* .LocalDirectoryCache */ .h(directory);
    }
    async restore(key) {
        const hit = await _actions_cache__WEBPACK_IMPORTED_MODULE_1__/* .restoreCache */ .P3(this.#paths(key), key);
        return hit === undefined ? undefined : this.#staging.restore(key);
    }
    async begin(key) {
        const writer = await this.#staging.begin(key);
        return {
            path: writer.path,
            commit: async (sha256) => {
                await writer.commit(sha256);
                this.uploads.add(() => this.#upload(key));
            },
            discard: () => writer.discard(),
        };
    }
    /** A corrupt entry cannot be deleted from the service; dropping the local copy is enough. */
    discard(key) {
        return this.#staging.discard(key);
    }
    async #upload(key) {
        _actions_core__WEBPACK_IMPORTED_MODULE_2__/* .info */ .pq(`Saving the model archive to the ${this.description}.`);
        try {
            // The toolkit logs why it could not save and answers -1 rather than throwing.
            const entryId = await _actions_cache__WEBPACK_IMPORTED_MODULE_1__/* .saveCache */ .Io(this.#paths(key), key);
            if (entryId === -1)
                throw new Error('the cache service did not take the entry (see the message above)');
            _actions_core__WEBPACK_IMPORTED_MODULE_2__/* .info */ .pq(`Saved the model archive to the ${this.description} (entry ${entryId}).`);
        }
        catch (error) {
            _actions_core__WEBPACK_IMPORTED_MODULE_2__/* .warning */ .$e(`Could not save the model archive to the ${this.description}: ${error.message}`);
            throw error;
        }
    }
    #paths(key) {
        return [(0,node_path__WEBPACK_IMPORTED_MODULE_0__.join)(this.#directory, `${key}.tar.gz`), (0,node_path__WEBPACK_IMPORTED_MODULE_0__.join)(this.#directory, `${key}.json`)];
    }
}
/** The uploads waiting for the staging to be done, and whether one failed (each failure already warned about). */
class DeferredUploads {
    #waiting = [];
    #failed = false;
    get failed() {
        return this.#failed;
    }
    add(upload) {
        this.#waiting.push(upload);
    }
    async settle() {
        const started = this.#waiting.splice(0).map((upload) => upload().catch(() => void (this.#failed = true)));
        await Promise.all(started);
    }
}


/***/ })

};
