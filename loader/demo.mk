# make demo: rules to come
