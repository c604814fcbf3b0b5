// Hello, world, as a JS worker: the floor of CPU per request for a JS worker
// in this workerd, beside the workers-rs hello-world (bench/hello).

export default {
  fetch() {
    return new Response("Hello, world!");
  },
};
