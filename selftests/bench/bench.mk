# make bench: rules to come
