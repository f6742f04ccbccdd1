// Placeholder on the base branch only: the flipper helper replaces this file.
return 0;
