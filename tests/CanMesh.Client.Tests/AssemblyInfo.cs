// The tests run capture processes with simulated buses and measure one's memory: one at a time, so
// two cores are not shared between them and the numbers mean something.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
